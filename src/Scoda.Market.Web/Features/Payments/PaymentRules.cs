using System.Security.Cryptography;

namespace Scoda.Market.Web.Features.Payments;

/// <summary>How a payment's status may change: only forward, whatever order the news arrives in.</summary>
public static class PaymentRules
{
    /// <summary>
    /// Moves <paramref name="payment"/> to <paramref name="to"/> when that is forward (Pending → Authorized → Succeeded;
    /// Failed or Cancelled only from an open payment); returns false and changes nothing otherwise.
    /// </summary>
    public static bool Advance(Payment payment, PaymentStatus to, decimal received, DateTimeOffset now)
    {
        if (!IsForward(payment.Status, to))
        {
            return false;
        }
        payment.Status = to;
        if (to == PaymentStatus.Succeeded)
        {
            payment.ReceivedAmount = received;
            payment.ConfirmedAt ??= now;
        }
        if (to is PaymentStatus.Failed or PaymentStatus.Cancelled)
        {
            payment.ActiveSlot = null;
        }
        payment.UpdatedAt = now;
        payment.Version++;
        return true;
    }

    /// <summary>
    /// Money arrived for a deposit we had already cancelled or failed (Stripe took a payment the buyer completed in the
    /// moment its Checkout was being expired): the only move back from an end state, because the money is real. The
    /// payment holds no slot (it blocks no new deposit) and is refunded by the caller.
    /// </summary>
    public static bool RecordLateCapture(Payment payment, decimal received, DateTimeOffset now)
    {
        if (payment.Status is not (PaymentStatus.Cancelled or PaymentStatus.Failed))
        {
            return false;
        }
        payment.Status = PaymentStatus.Succeeded;
        payment.ReceivedAmount = received;
        payment.ConfirmedAt ??= now;
        payment.ActiveSlot = null;
        payment.LastError = "Paid after the deposit was cancelled: the money is refunded.";
        payment.UpdatedAt = now;
        payment.Version++;
        return true;
    }

    public static bool IsForward(PaymentStatus from, PaymentStatus to) => (from, to) switch
    {
        (PaymentStatus.Pending, PaymentStatus.Authorized or PaymentStatus.Succeeded or PaymentStatus.Failed or PaymentStatus.Cancelled) => true,
        (PaymentStatus.Authorized, PaymentStatus.Succeeded or PaymentStatus.Failed or PaymentStatus.Cancelled) => true,
        _ => false,
    };

    public static bool IsOpen(PaymentStatus status) => status is PaymentStatus.Pending or PaymentStatus.Authorized;

    /// <summary>A Stripe Refund's status (pending, requires_action, succeeded, failed, canceled) applied forward only.</summary>
    public static bool ApplyRefundStatus(Payment refund, string? stripeStatus, DateTimeOffset now) => stripeStatus switch
    {
        "succeeded" => Advance(refund, PaymentStatus.Succeeded, refund.Amount, now),
        "failed" => Advance(refund, PaymentStatus.Failed, 0, now),
        "canceled" => Advance(refund, PaymentStatus.Cancelled, 0, now),
        _ => false,
    };

    /// <summary>A reference a bank transfer quotes: <c>SCM-XXXX-XXXX</c> from an alphabet without look-alikes.</summary>
    public static string NewReference()
    {
        const string alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
        Span<char> chars = stackalloc char[8];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        }
        return $"SCM-{chars[..4]}-{chars[4..]}";
    }
}

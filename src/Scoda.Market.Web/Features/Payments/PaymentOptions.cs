namespace Scoda.Market.Web.Features.Payments;

/// <summary><c>Payments:*</c>.</summary>
public sealed class PaymentOptions
{
    public const string Section = "Payments";

    /// <summary><see cref="PaymentProvider.Offline"/> (bank transfer, admin-confirmed; the default) or <see cref="PaymentProvider.Stripe"/>.</summary>
    public PaymentProvider Provider { get; set; } = PaymentProvider.Offline;

    /// <summary>The platform's commission, a share of the deposit kept when the seller is paid out (0 ≤ rate &lt; 1).</summary>
    public decimal CommissionRate { get; set; } = 0.02m;

    public OfflineOptions Offline { get; set; } = new();
    public StripeOptions Stripe { get; set; } = new();
}

/// <summary><c>Payments:Offline:*</c>: the platform's bank account that buyers transfer to.</summary>
public sealed class OfflineOptions
{
    public string Beneficiary { get; set; } = "Scoda Market Ltd";
    public string BankName { get; set; } = "Demo Bank";
    public string Iban { get; set; } = "GB00DEMO00000000000000";
    public string Swift { get; set; } = "DEMOGB2L";
    public string? BankAddress { get; set; }
}

/// <summary><c>Payments:Stripe:*</c>. The key and secrets are never logged.</summary>
public sealed class StripeOptions
{
    public string? SecretKey { get; set; }

    /// <summary>One signing secret, or several separated by commas while a secret is being rolled.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>Where Stripe's API is; tests point it at an in-process fake.</summary>
    public string? ApiBase { get; set; }

    /// <summary>How many times Stripe.net retries a request Stripe says may be retried (Stripe-Should-Retry, 409, 429, 5xx).</summary>
    public int MaxNetworkRetries { get; set; } = 2;

    /// <summary>How old a webhook's signed timestamp may be.</summary>
    public int WebhookToleranceSeconds { get; set; } = 300;

    /// <summary>How often the worker makes staged calls to Stripe.</summary>
    public TimeSpan WorkerInterval { get; set; } = TimeSpan.FromSeconds(15);

    public IReadOnlyList<string> WebhookSecrets =>
        (WebhookSecret ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

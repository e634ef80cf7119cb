using Microsoft.AspNetCore.Mvc;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.Web.Features.Deals;

/// <summary>Who may make a transition: a side of the deal, a platform admin, or the system (payments confirming money).</summary>
[Flags]
public enum DealParty
{
    None = 0,
    Buyer = 1,
    Seller = 2,
    Admin = 4,
    System = 8,
}

/// <summary>One edge of the deal state machine: the action's name (the route's last segment for the sides' actions) and who may take it.</summary>
public sealed record DealTransition(DealStatus From, DealStatus To, string Action, DealParty By);

/// <summary>A transition the caller may make now, as responses and 409 problems name it.</summary>
public sealed record AllowedTransition(string Action, DealStatus To);

/// <summary>
/// The deal state machine, in one place. Agreed → DepositPending → DepositPaid → Shipped → Delivered → Completed;
/// cancelling is possible until the goods ship, a dispute from the moment money has moved until completion, and only a
/// platform admin resolves a dispute (to Completed or Cancelled). The system (payments) moves the deposit states.
/// </summary>
public static class DealTransitions
{
    public const string RequestDeposit = "request_deposit";
    public const string ConfirmDeposit = "confirm_deposit";
    public const string ResetDeposit = "reset_deposit";
    public const string Ship = "ship";
    public const string Deliver = "deliver";
    public const string Complete = "complete";
    public const string Cancel = "cancel";
    public const string Dispute = "dispute";
    public const string Resolve = "resolve";

    const DealParty Sides = DealParty.Buyer | DealParty.Seller;

    public static readonly IReadOnlyList<DealTransition> All =
    [
        new(DealStatus.Agreed, DealStatus.DepositPending, RequestDeposit, DealParty.System),
        new(DealStatus.Agreed, DealStatus.DepositPaid, ConfirmDeposit, DealParty.System),
        new(DealStatus.DepositPending, DealStatus.DepositPaid, ConfirmDeposit, DealParty.System),
        new(DealStatus.DepositPending, DealStatus.Agreed, ResetDeposit, DealParty.System),
        new(DealStatus.DepositPaid, DealStatus.Shipped, Ship, DealParty.Seller),
        new(DealStatus.Shipped, DealStatus.Delivered, Deliver, DealParty.Buyer),
        new(DealStatus.Delivered, DealStatus.Completed, Complete, Sides | DealParty.System),
        new(DealStatus.Agreed, DealStatus.Cancelled, Cancel, Sides | DealParty.Admin | DealParty.System),
        new(DealStatus.DepositPending, DealStatus.Cancelled, Cancel, Sides | DealParty.Admin | DealParty.System),
        new(DealStatus.DepositPaid, DealStatus.Cancelled, Cancel, Sides | DealParty.Admin | DealParty.System),
        new(DealStatus.DepositPaid, DealStatus.Disputed, Dispute, Sides),
        new(DealStatus.Shipped, DealStatus.Disputed, Dispute, Sides),
        new(DealStatus.Delivered, DealStatus.Disputed, Dispute, Sides),
        new(DealStatus.Disputed, DealStatus.Completed, Resolve, DealParty.Admin),
        new(DealStatus.Disputed, DealStatus.Cancelled, Resolve, DealParty.Admin),
        // Resolved back to where the dispute was opened (only that one: see IsOpenTo).
        new(DealStatus.Disputed, DealStatus.DepositPaid, Resolve, DealParty.Admin),
        new(DealStatus.Disputed, DealStatus.Shipped, Resolve, DealParty.Admin),
        new(DealStatus.Disputed, DealStatus.Delivered, Resolve, DealParty.Admin),
    ];

    /// <summary>
    /// The transitions out of <paramref name="from"/> that <paramref name="party"/> (any of its flags) may make; a disputed
    /// deal resumes only in the state the dispute was opened from (<paramref name="disputedFrom"/>).
    /// </summary>
    public static IReadOnlyList<AllowedTransition> AllowedFor(DealStatus from, DealParty party, DealStatus? disputedFrom = null) =>
        All.Where(t => t.From == from && (t.By & party) != 0 && IsOpenTo(t, disputedFrom)).Select(t => new AllowedTransition(t.Action, t.To)).ToList();

    /// <summary>Whether <paramref name="transition"/> is possible for a deal disputed from <paramref name="disputedFrom"/>.</summary>
    public static bool IsOpenTo(DealTransition transition, DealStatus? disputedFrom) =>
        transition.From != DealStatus.Disputed || transition.To is DealStatus.Completed or DealStatus.Cancelled || transition.To == disputedFrom;

    public static DealTransition? Find(DealStatus from, DealStatus to) => All.FirstOrDefault(t => t.From == from && t.To == to);

    public static DealTransition? Find(DealStatus from, string action) => All.FirstOrDefault(t => t.From == from && t.Action == action);

    /// <summary>Whether the deal can still ship: stock is held and cancelling is possible.</summary>
    public static bool IsBeforeShipment(DealStatus status) => status is DealStatus.Agreed or DealStatus.DepositPending or DealStatus.DepositPaid;

    /// <summary>
    /// Whether cancelling from <paramref name="from"/> ends the deal before the goods left: directly from a state before
    /// shipment, or by resolving a dispute that was opened before shipment (<paramref name="disputedFrom"/>).
    /// </summary>
    public static bool IsCancelledBeforeShipment(DealStatus from, DealStatus? disputedFrom) =>
        IsBeforeShipment(from) || (from == DealStatus.Disputed && disputedFrom is { } before && IsBeforeShipment(before));
}

/// <summary>
/// A transition the deal's state does not allow (or the state changed meanwhile): answered as a 409 problem naming the
/// current status and the transitions the caller may make from it.
/// </summary>
public sealed class DealConflictException(DealStatus status, IReadOnlyList<AllowedTransition> allowed, string detail)
    : Exception(detail), IProblemSource
{
    public DealStatus Status { get; } = status;
    public IReadOnlyList<AllowedTransition> AllowedTransitions { get; } = allowed;

    public ProblemDetails ToProblemDetails() => new()
    {
        Status = StatusCodes.Status409Conflict,
        Title = Problems.ConflictTitle,
        Detail = Message,
        Extensions = { ["dealStatus"] = Status, ["allowedTransitions"] = AllowedTransitions },
    };
}

/// <summary>
/// Told of every deal transition inside its transaction, before commit (Payments stages a payout on Completed, a refund
/// on Cancelled). A listener only stages rows in the scoped context: no calls to outside services here.
/// </summary>
public interface IDealTransitionListener
{
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1716", Justification = "The cross-feature contract names them from/to (TEAM.md); C# callers only.")]
    Task OnTransitionAsync(DealFacts deal, DealStatus from, DealStatus to, CancellationToken ct);
}

/// <summary>What other features know of a deal: its parties, state, money (the deposit is <see cref="DealOptions.DepositShare"/> of the total) and terms.</summary>
public sealed record DealFacts(
    Guid Id, DealStatus Status, Guid BuyerOrganizationId, Guid SellerOrganizationId, Guid ListingId, Money Total, Money Deposit,
    IReadOnlyList<string> PaymentTerms, string Incoterm, DealStatus? DisputedFrom = null)
{
    /// <summary>Whether a move from <paramref name="from"/> to Cancelled ends this deal before its goods shipped (a refund is due).</summary>
    public bool CancelsBeforeShipment(DealStatus from) => DealTransitions.IsCancelledBeforeShipment(from, DisputedFrom);
}

/// <summary><c>Deals:*</c> settings.</summary>
public sealed class DealOptions
{
    public const string Section = "Deals";

    /// <summary>The deposit's share of the total (0 &lt; share ≤ 1), rounded to cents; 10 % by default.</summary>
    public decimal DepositShare { get; set; } = 0.10m;
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Accounts;
using Scoda.Market.Web.Features.Deals;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Infrastructure.Auth;
using Scoda.Market.Web.Infrastructure.Commands;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Paging;
using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.Web.Features.Payments;

/// <summary>Body of <c>POST /api/deals/{id}/deposit</c> and <c>…/balance</c>: the amount the caller means to pay.</summary>
public sealed record PayRequest(decimal? Amount, string? Currency);

/// <summary>Body of <c>POST /api/deals/{id}/letters-of-credit</c> and <c>…/documentary-collections</c>.</summary>
public sealed record InstrumentRequest(string? IssuingBank, string? Number, DateOnly? ExpiresAt, decimal? Amount, string? Currency);

/// <summary>Body of <c>POST /api/admin/payments/{id}/confirm</c>: what the bank statement shows.</summary>
public sealed record ConfirmPaymentRequest(decimal? Amount, DateOnly? ValueDate, string? BankReference);

public sealed record OnboardingResponse(Guid OrganizationId, string AccountId, string Url, DateTimeOffset ExpiresAt, bool PayoutsEnabled);

public static class PaymentsEndpoints
{
    public const string IdempotencyHeader = "Idempotency-Key";
    public const int MaxIdempotencyKeyLength = 100;
    public const int MaxTextLength = 100;

    public static IHostApplicationBuilder AddPayments(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(PaymentOptions.Section).Get<PaymentOptions>() ?? new PaymentOptions();
        if (options.CommissionRate is < 0 or >= 1)
        {
            throw new InvalidOperationException("Payments:CommissionRate must be at least 0 and less than 1.");
        }
        builder.Services.AddSingleton(options);
        builder.Services.AddHttpClient(StripeClientHolder.HttpClientName);
        builder.Services.AddSingleton<StripeClientHolder>();
        builder.Services.AddSingleton<StripeOperationWorker>();
        builder.Services.AddHostedService(s => s.GetRequiredService<StripeOperationWorker>());
        builder.Services.AddScoped<OfflineGateway>();
        builder.Services.AddScoped<StripeGateway>();
        builder.Services.AddScoped<PaymentGateways>();
        builder.Services.AddScoped<PaymentService>();
        builder.Services.AddScoped<PaymentSettlement>();
        builder.Services.AddScoped<OfflinePayments>();
        builder.Services.AddScoped<PaymentsContext>();
        builder.Services.AddScoped<StripeWebhook>();
        builder.Services.AddScoped<PaymentReconciliation>();
        builder.Services.AddScoped<IDealTransitionListener, PaymentsDealListener>();
        builder.Services.AddHostCommand<ReconcilePaymentsCommand>();
        return builder;
    }

    public static IEndpointRouteBuilder MapPaymentsEndpoints(this IEndpointRouteBuilder app)
    {
        var deals = app.MapGroup("/api/deals/{id:guid}").WithTags("Payments").RequireAuthorization();
        deals.MapPost("/deposit", PayDeposit).WithName("PayDealDeposit");
        deals.MapPost("/balance", PayBalance).WithName("PayDealBalance");
        deals.MapPost("/letters-of-credit", (Guid id, InstrumentRequest request, [FromHeader(Name = IdempotencyHeader)] string? key, PaymentsContext c, CancellationToken ct) =>
            RecordInstrumentAsync(id, PaymentKind.LetterOfCredit, request, key, c, ct)).WithName("RecordLetterOfCredit");
        deals.MapPost("/documentary-collections", (Guid id, InstrumentRequest request, [FromHeader(Name = IdempotencyHeader)] string? key, PaymentsContext c, CancellationToken ct) =>
            RecordInstrumentAsync(id, PaymentKind.DocumentaryCollection, request, key, c, ct)).WithName("RecordDocumentaryCollection");
        deals.MapGet("/payments", DealPaymentsAsync).WithName("GetDealPayments");

        app.MapGet("/api/payments/{id:guid}", GetPayment).WithTags("Payments").WithName("GetPayment").RequireAuthorization();
        app.MapPost("/api/organizations/{id:guid}/payouts/onboard", Onboard).WithTags("Payments").WithName("OnboardPayouts").RequireAuthorization();
        app.MapPost(StripeWebhook.Path, (HttpRequest request, StripeWebhook webhook, CancellationToken ct) => webhook.HandleAsync(request, ct))
            .WithTags("Payments").WithName("StripeWebhook").AllowAnonymous().DisableAntiforgery();

        var admin = app.MapGroup("/api/admin/payments").WithTags("Administration").RequireAuthorization(AuthSetup.AdminPolicy);
        admin.MapGet("/", ListPayments).WithName("ListPayments");
        admin.MapPost("/{id:guid}/confirm", Confirm).WithName("ConfirmPayment");
        admin.MapGet("/reconciliation", (PaymentReconciliation reconciliation, CancellationToken ct) => ReconcileAsync(reconciliation, ct))
            .WithName("ReconcilePayments")
            .WithSummary("Compare the ledger with Stripe's objects now (the reconcile-payments command's comparison) and list the mismatches.");
        return app;
    }

    /// <summary>What most handlers take from the request's services.</summary>
    public sealed record PaymentsContext(
        MarketDbContext Db, DealService Deals, PaymentService Payments, PaymentSettlement Settlement, PaymentGateways Gateways,
        OrganizationAccess Organizations, CurrentUser User);

    static Task<Results<Created<PaymentResponse>, Ok<PaymentResponse>, ValidationProblem, ProblemHttpResult>> PayDeposit(
        Guid id, PayRequest? request, [FromHeader(Name = IdempotencyHeader)] string? key, PaymentsContext c, CancellationToken ct) =>
        RecordAsync(id, key, c, (deal, errors) =>
        {
            CheckAmount(request?.Amount, request?.Currency, deal.Deposit, "the deal's deposit", errors);
            return new Recording(PaymentKind.Deposit, c.Gateways.Configured.Provider, deal.Deposit.Amount,
                [DealStatus.Agreed, DealStatus.DepositPending], null, null, null);
        }, ct);

    static Task<Results<Created<PaymentResponse>, Ok<PaymentResponse>, ValidationProblem, ProblemHttpResult>> PayBalance(
        Guid id, PayRequest? request, [FromHeader(Name = IdempotencyHeader)] string? key, PaymentsContext c, CancellationToken ct) =>
        RecordAsync(id, key, c, (deal, errors) =>
        {
            var balance = new Money(deal.Total.Amount - deal.Deposit.Amount, deal.Total.Currency);
            CheckAmount(request?.Amount, request?.Currency, balance, "the deal's balance (total less deposit)", errors);
            return new Recording(PaymentKind.Balance, PaymentProvider.Offline, balance.Amount,
                [DealStatus.DepositPaid, DealStatus.Shipped, DealStatus.Delivered], null, null, null);
        }, ct);

    static Task<Results<Created<PaymentResponse>, Ok<PaymentResponse>, ValidationProblem, ProblemHttpResult>> RecordInstrumentAsync(
        Guid id, PaymentKind kind, InstrumentRequest? request, string? key, PaymentsContext c, CancellationToken ct) =>
        RecordAsync(id, key, c, (deal, errors) =>
        {
            errors.RequireText(request?.IssuingBank, "issuingBank", MaxTextLength);
            errors.RequireText(request?.Number, "number", MaxTextLength);
            var today = DateOnly.FromDateTime(c.Payments.Clock.GetUtcNow().UtcDateTime);
            if (kind == PaymentKind.LetterOfCredit)
            {
                errors.Check(request?.ExpiresAt is { } expires && expires > today && expires <= today.AddYears(3), "expiresAt",
                    "Required: a date after today, within three years.");
            }
            else
            {
                errors.Check(request?.ExpiresAt is null || request.ExpiresAt > today, "expiresAt", "A date after today, or none.");
            }
            errors.Check(request?.Amount is { } amount && amount > 0 && amount <= deal.Total.Amount && Decimals.Fits(amount, 2), "amount",
                $"Required: more than 0 and at most the deal's total, {deal.Total}, with at most 2 decimals.");
            errors.Check(request?.Currency is null || string.Equals(request.Currency, deal.Total.Currency, StringComparison.OrdinalIgnoreCase),
                "currency", $"The deal's currency, {deal.Total.Currency}.");
            return new Recording(kind, PaymentProvider.Offline, request?.Amount ?? 0,
                [DealStatus.Agreed, DealStatus.DepositPending, DealStatus.DepositPaid, DealStatus.Shipped, DealStatus.Delivered],
                request?.IssuingBank?.Trim(), request?.Number?.Trim(), request?.ExpiresAt);
        }, ct);

    static void CheckAmount(decimal? amount, string? currency, Money expected, string what, ValidationErrors errors)
    {
        errors.Check(amount == expected.Amount, "amount", $"Must equal {what}: {expected}.");
        errors.Check(currency is null || string.Equals(currency, expected.Currency, StringComparison.OrdinalIgnoreCase), "currency",
            $"The deal's currency, {expected.Currency}.");
    }

    sealed record Recording(
        PaymentKind Kind, PaymentProvider Provider, decimal Amount, IReadOnlyList<DealStatus> AllowedIn, string? Bank, string? Number, DateOnly? Expires);

    /// <summary>
    /// The buyer records a payment for its deal: checks who asks (404 for outsiders, 403 for the seller), the key and the
    /// body (400), replays a retry, refuses a second open one (409); then, in one transaction, the payment, what its
    /// gateway stages, and for a deposit the deal's move to DepositPending; after the commit, the gateway's outside calls.
    /// </summary>
    static async Task<Results<Created<PaymentResponse>, Ok<PaymentResponse>, ValidationProblem, ProblemHttpResult>> RecordAsync(
        Guid dealId, string? key, PaymentsContext c, Func<DealFacts, ValidationErrors, Recording> read, CancellationToken ct)
    {
        var deal = await c.Deals.FactsAsync(dealId, ct);
        if (deal is null || !await IsPartyAsync(c, deal, ct))
        {
            return Problems.NotFound("Deal");
        }
        if (!await c.Organizations.MayAsync(c.User.Id, deal.BuyerOrganizationId, OrganizationAction.Trade, ct))
        {
            return Problems.Forbidden("Only the buyer's owners and traders record its payments.");
        }
        var errors = new ValidationErrors();
        errors.Check(key is { Length: > 0 and <= MaxIdempotencyKeyLength } && key.All(ch => ch is > ' ' and <= '~'), IdempotencyHeader,
            $"Required: 1 to {MaxIdempotencyKeyLength} visible ASCII characters, new for every payment and the same when retrying it.");
        var recording = read(deal, errors);
        if (!errors.IsValid)
        {
            return errors.ToProblem();
        }
        var hash = RequestHash(recording);
        if (await ReplayAsync(c, dealId, key!, hash, ct) is { } replayed)
        {
            return replayed;
        }
        if (await c.Db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.DealId == dealId && p.ActiveSlot == recording.Kind.ToString(), ct) is { } live)
        {
            return Problems.Conflict(PaymentRules.IsOpen(live.Status)
                ? $"A {Describe(recording.Kind)} for this deal is already pending (payment {live.Id}); retry with its Idempotency-Key, or wait until it fails or expires."
                : $"This deal's {Describe(recording.Kind)} is already recorded (payment {live.Id}).");
        }
        if (!recording.AllowedIn.Contains(deal.Status))
        {
            return Problems.Conflict($"A {deal.Status} deal takes no {Describe(recording.Kind)}; it is possible when the deal is {string.Join(" or ", recording.AllowedIn)}.");
        }
        var payment = c.Payments.NewPayment(deal, recording.Kind, recording.Provider, recording.Amount, deal.BuyerOrganizationId, c.User.Id);
        payment.IdempotencyKey = key;
        payment.RequestHash = hash;
        payment.IssuingBank = recording.Bank;
        payment.InstrumentNumber = recording.Number;
        payment.ExpiresOn = recording.Expires;
        try
        {
            await c.Settlement.RecordAsync(payment, deal, c.User.Id, ct);
        }
        catch (DbUpdateException)
        {
            // The same key, or a second payment of the kind, raced this one: the unique indexes let one through.
            c.Db.ChangeTracker.Clear();
            return await ReplayAsync(c, dealId, key!, hash, ct)
                ?? Problems.Conflict($"Another {Describe(recording.Kind)} for this deal was recorded at the same moment; reload the deal's payments.");
        }
        await c.Settlement.DispatchAsync(payment, ct);
        var stored = await c.Db.Payments.AsNoTracking().SingleAsync(p => p.Id == payment.Id, ct);
        return TypedResults.Created($"/api/payments/{payment.Id}", c.Payments.ToResponse(stored));
    }

    static async Task<Results<Created<PaymentResponse>, Ok<PaymentResponse>, ValidationProblem, ProblemHttpResult>?> ReplayAsync(
        PaymentsContext c, Guid dealId, string key, string hash, CancellationToken ct)
    {
        var earlier = await c.Db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.DealId == dealId && p.IdempotencyKey == key, ct);
        if (earlier is null)
        {
            return null;
        }
        return earlier.RequestHash == hash
            ? TypedResults.Ok(c.Payments.ToResponse(earlier))
            : Problems.Conflict($"This {IdempotencyHeader} was already used for a different payment request; use a new key for a new request.");
    }

    static string RequestHash(Recording r) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{r.Kind}|{Decimals.Normalize(r.Amount)}|{r.Bank}|{r.Number}|{r.Expires:O}"))));

    static string Describe(PaymentKind kind) => kind switch
    {
        PaymentKind.LetterOfCredit => "letter of credit",
        PaymentKind.DocumentaryCollection => "documentary collection",
        _ => kind.ToString().ToLowerInvariant(),
    };

    static async Task<bool> IsPartyAsync(PaymentsContext c, DealFacts deal, CancellationToken ct) =>
        await c.Organizations.IsMemberAsync(deal.BuyerOrganizationId, ct) || await c.Organizations.IsMemberAsync(deal.SellerOrganizationId, ct);

    static async Task<bool> MaySeeAsync(PaymentsContext c, DealFacts deal, CancellationToken ct) =>
        c.User.IsInRole(PlatformRoles.Admin) || await IsPartyAsync(c, deal, ct);

    /// <summary>The deal's payments and ledger, for both sides; another organization's deal is not found.</summary>
    static async Task<Results<Ok<DealPayments>, ProblemHttpResult>> DealPaymentsAsync(Guid id, PaymentsContext c, CancellationToken ct)
    {
        var deal = await c.Deals.FactsAsync(id, ct);
        if (deal is null || !await MaySeeAsync(c, deal, ct))
        {
            return Problems.NotFound("Deal");
        }
        return TypedResults.Ok(await c.Payments.OfDealAsync(deal, ct));
    }

    static async Task<Results<Ok<PaymentResponse>, ProblemHttpResult>> GetPayment(Guid id, PaymentsContext c, CancellationToken ct)
    {
        var payment = await c.Db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, ct);
        if (payment is null || await c.Deals.FactsAsync(payment.DealId, ct) is not { } deal || !await MaySeeAsync(c, deal, ct))
        {
            return Problems.NotFound("Payment");
        }
        return TypedResults.Ok(c.Payments.ToResponse(payment));
    }

    /// <summary>Admins' list, newest first, narrowed by status, kind or provider.</summary>
    static async Task<Results<Ok<Page<PaymentResponse>>, ValidationProblem>> ListPayments(
        string? status, string? kind, string? provider, string? cursor, int? limit, PaymentsContext c, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        PaymentStatus? byStatus = null;
        PaymentKind? byKind = null;
        PaymentProvider? byProvider = null;
        if (status is not null)
        {
            errors.Check(EnumText.TryParse<PaymentStatus>(status, out var parsed), "status", "pending, authorized, succeeded, failed or cancelled.");
            byStatus = parsed;
        }
        if (kind is not null)
        {
            errors.Check(EnumText.TryParse<PaymentKind>(kind, out var parsed), "kind", "deposit, balance, letterOfCredit, documentaryCollection, payout or refund.");
            byKind = parsed;
        }
        if (provider is not null)
        {
            errors.Check(EnumText.TryParse<PaymentProvider>(provider, out var parsed), "provider", "offline or stripe.");
            byProvider = parsed;
        }
        if (!PageRequest.TryParse(cursor, limit, errors, out var page) || !errors.IsValid)
        {
            return errors.ToProblem();
        }
        var query = c.Db.Payments.AsNoTracking()
            .Where(p => (byStatus == null || p.Status == byStatus) && (byKind == null || p.Kind == byKind) && (byProvider == null || p.Provider == byProvider));
        var rows = await query.PageNewestFirst(page, p => p.CreatedAt, p => p.Id).ToListAsync(ct);
        return TypedResults.Ok(page.ToPage(rows.Select(c.Payments.ToResponse).ToList(), p => new Cursor(p.CreatedAt, p.PaymentId)));
    }

    /// <summary>Stripe answering with an error mid-way is a 502: the comparison cannot be trusted half done.</summary>
    static async Task<Results<Ok<ReconciliationReport>, ProblemHttpResult>> ReconcileAsync(PaymentReconciliation reconciliation, CancellationToken ct)
    {
        try
        {
            return TypedResults.Ok(await reconciliation.RunAsync(ct));
        }
        catch (Stripe.StripeException e)
        {
            return TypedResults.Problem(title: "Stripe did not answer the reconciliation.", detail: e.StripeError?.Message ?? "Try again later.",
                statusCode: StatusCodes.Status502BadGateway);
        }
    }

    /// <summary>
    /// An admin records what the bank shows for an offline payment: money received (a deposit moves the deal to
    /// DepositPaid), an L/C or collection advised, a payout or refund sent.
    /// </summary>
    static async Task<Results<Ok<PaymentResponse>, ValidationProblem, ProblemHttpResult>> Confirm(
        Guid id, ConfirmPaymentRequest? request, PaymentsContext c, CancellationToken ct)
    {
        var payment = await c.Db.Payments.SingleOrDefaultAsync(p => p.Id == id, ct);
        if (payment is null)
        {
            return Problems.NotFound("Payment");
        }
        var errors = new ValidationErrors();
        errors.Check(request?.Amount == payment.Amount, "amount", $"Must equal the payment's amount, {new Money(payment.Amount, payment.Currency)}; partial payments are not recorded.");
        var today = DateOnly.FromDateTime(c.Payments.Clock.GetUtcNow().UtcDateTime);
        errors.Check(request?.ValueDate is { } valueDate && valueDate <= today.AddDays(1) && valueDate >= today.AddYears(-1), "valueDate",
            "Required: the bank's value date, within the past year.");
        errors.RequireText(request?.BankReference, "bankReference", MaxTextLength);
        if (!errors.IsValid)
        {
            return errors.ToProblem();
        }
        if (payment.Provider != PaymentProvider.Offline)
        {
            return Problems.Conflict("Stripe payments are confirmed by Stripe's webhooks, not by an admin.");
        }
        if (!PaymentRules.IsOpen(payment.Status))
        {
            return Problems.Conflict($"This payment is {payment.Status.ToString().ToLowerInvariant()}; only a pending one can be confirmed.");
        }
        try
        {
            await c.Settlement.ConfirmOfflineAsync(payment, request!.Amount!.Value, request.ValueDate!.Value, request.BankReference!, c.User.Id, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Conflict("This payment was confirmed meanwhile; reload it.");
        }
        return TypedResults.Ok(c.Payments.ToResponse(payment));
    }

    /// <summary>
    /// An owner starts (or resumes) Stripe Express onboarding for the organization: the connected account is created once,
    /// and each call returns a fresh Account Link. The calls to Stripe happen outside any transaction.
    /// </summary>
    static async Task<Results<Ok<OnboardingResponse>, ProblemHttpResult>> Onboard(
        Guid id, PaymentsContext c, StripeClientHolder stripe, Infrastructure.Security.PublicAddress address, CancellationToken ct)
    {
        var access = await c.Organizations.CheckAsync(id, OrganizationAction.Manage, hideFromOutsiders: true, ct);
        if (access != Access.Allowed)
        {
            return OrganizationAccess.Denied(access, "Only the organization's owners set up its payouts.");
        }
        if (stripe.Client is not { } client)
        {
            return Problems.Conflict("Payouts through Stripe are not configured here; sellers are paid by bank transfer.");
        }
        try
        {
            var account = await c.Db.PayoutAccounts.SingleOrDefaultAsync(a => a.OrganizationId == id, ct);
            var now = c.Payments.Clock.GetUtcNow();
            if (account is null)
            {
                var created = await new Stripe.AccountService(client).CreateAsync(new Stripe.AccountCreateOptions
                {
                    Type = "express",
                    Metadata = new Dictionary<string, string> { ["organization_id"] = id.ToString() },
                    Capabilities = new Stripe.AccountCapabilitiesOptions { Transfers = new Stripe.AccountCapabilitiesTransfersOptions { Requested = true } },
                }, new Stripe.RequestOptions { IdempotencyKey = $"account:{id:N}" }, ct);
                account = new PayoutAccount
                {
                    OrganizationId = id, StripeAccountId = created.Id, PayoutsEnabled = created.PayoutsEnabled, DetailsSubmitted = created.DetailsSubmitted,
                    CreatedAt = now, UpdatedAt = now,
                };
                c.Db.PayoutAccounts.Add(account);
                await c.Db.SaveChangesAsync(ct);
            }
            // A link is single-use and short-lived; the key is per account and minute, so a double click gets one link.
            var link = await new Stripe.AccountLinkService(client).CreateAsync(new Stripe.AccountLinkCreateOptions
            {
                Account = account.StripeAccountId, Type = "account_onboarding",
                RefreshUrl = address.Rebase($"/organizations/{id}?payouts=refresh"), ReturnUrl = address.Rebase($"/organizations/{id}?payouts=done"),
            }, new Stripe.RequestOptions { IdempotencyKey = $"account_link:{account.StripeAccountId}:{now.ToUnixTimeSeconds() / 60}" }, ct);
            return TypedResults.Ok(new OnboardingResponse(id, account.StripeAccountId, link.Url, link.ExpiresAt, account.PayoutsEnabled));
        }
        catch (Stripe.StripeException e)
        {
            return TypedResults.Problem(title: "Stripe refused the request.", detail: e.StripeError?.Message ?? "Try again later.",
                statusCode: StatusCodes.Status502BadGateway);
        }
    }
}

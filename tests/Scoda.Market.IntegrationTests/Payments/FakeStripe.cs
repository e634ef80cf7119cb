using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Scoda.Market.IntegrationTests.Payments;

/// <summary>
/// Stripe's API in-process, behind the host's <c>Stripe</c> HttpClient: Stripe.net talks to it through its real request
/// and JSON code. It speaks the documented shapes of checkout.sessions (and their expiry), payment_intents, charges and
/// their balance_transactions (with <c>expand[]</c>), transfers, refunds, accounts and account_links, keeps idempotency keys (a replay returns the first response, the same key with other parameters is a 400
/// <c>idempotency_error</c>), and serves scripted faults: a card decline, a 429 rate limit, a 500 (with
/// <c>Stripe-Should-Retry</c>). It also makes the events Stripe would send, signed like Stripe signs them.
/// </summary>
public sealed class FakeStripe : HttpMessageHandler
{
    public const string SecretKey = "sk_test_fake51ScodaMarketDoNotLog0000000000";
    public const string ApiBase = "https://stripe.fake";
    public const string ApiVersion = "2026-10-28.endive";

    readonly ConcurrentDictionary<string, JsonObject> _objects = new();
    readonly ConcurrentDictionary<string, (string Hash, HttpStatusCode Status, string Body)> _idempotent = new();
    readonly ConcurrentQueue<Fault> _faults = new();
    readonly ConcurrentQueue<FakeRequest> _requests = new();

    public IReadOnlyList<FakeRequest> Requests => [.. _requests];

    /// <summary>The next request whose path starts with <paramref name="pathPrefix"/> fails this way (one fault per call).</summary>
    public void FailNext(string pathPrefix, HttpStatusCode status, string type, string? code = null, bool? shouldRetry = null, string? declineCode = null) =>
        _faults.Enqueue(new Fault(pathPrefix, status, type, code, shouldRetry, declineCode));

    public JsonObject Find(string id) => _objects[id];

    public IEnumerable<JsonObject> ObjectsOf(string type) => _objects.Values.Where(o => (string?)o["object"] == type);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var form = ParseForm(body);
        var path = request.RequestUri!.AbsolutePath;
        var query = ParseForm(request.RequestUri.Query.TrimStart('?'));
        var key = request.Headers.TryGetValues("Idempotency-Key", out var keys) ? keys.First() : null;
        _requests.Enqueue(new FakeRequest(request.Method.Method, path, request.Method == HttpMethod.Get ? query : form, key, request.Headers.TryGetValues("Stripe-Version", out var v) ? v.First() : null));
        if (request.Headers.Authorization?.Parameter != SecretKey)
        {
            return Error(HttpStatusCode.Unauthorized, "invalid_request_error", null, "Invalid API Key provided.");
        }
        if (TakeFault(path) is { } fault)
        {
            var failed = Error(fault.Status, fault.Type, fault.Code, $"Scripted {fault.Type}.", fault.DeclineCode);
            if (fault.ShouldRetry is { } retry)
            {
                failed.Headers.Add("Stripe-Should-Retry", retry ? "true" : "false");
            }
            return failed;
        }
        if (request.Method == HttpMethod.Post && key is not null)
        {
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(path + "\n" + body)));
            if (_idempotent.TryGetValue(key, out var earlier))
            {
                if (earlier.Hash != hash)
                {
                    return Error(HttpStatusCode.BadRequest, "idempotency_error", null,
                        $"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request.");
                }
                var replay = Json(earlier.Status, earlier.Body);
                replay.Headers.Add("Idempotent-Replayed", "true");
                return replay;
            }
            var response = Handle(request.Method, path, form);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if ((int)response.StatusCode < 500)
            {
                _idempotent[key] = (hash, response.StatusCode, text);
            }
            return Json(response.StatusCode, text);
        }
        return Handle(request.Method, path, request.Method == HttpMethod.Get ? query : form);
    }

    /// <summary>Seeds an idempotency key as if another request had used it first (for the key-reuse test).</summary>
    public void UseKey(string key, string otherBody) =>
        _idempotent[key] = (Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(otherBody))), HttpStatusCode.OK, "{}");

    Fault? TakeFault(string path)
    {
        lock (_faults)
        {
            if (_faults.TryPeek(out var next) && path.StartsWith(next.PathPrefix, StringComparison.Ordinal))
            {
                _faults.TryDequeue(out _);
                return next;
            }
        }
        return null;
    }

    HttpResponseMessage Handle(HttpMethod method, string path, Dictionary<string, string> form)
    {
        var segments = path.Trim('/').Split('/');
        if (segments.Length < 2 || segments[0] != "v1")
        {
            return Error(HttpStatusCode.NotFound, "invalid_request_error", null, $"Unrecognized request URL ({method}: {path}).");
        }
        var nested = segments[1] == "checkout";
        var resource = nested ? string.Join('/', segments.Skip(1).Take(2)) : segments[1];
        var idAt = nested ? 3 : 2;
        var id = segments.Length > idAt ? segments[idAt] : null;
        if (method == HttpMethod.Get && id is not null)
        {
            return _objects.TryGetValue(id, out var found)
                ? Json(HttpStatusCode.OK, Expanded(found, form).ToJsonString())
                : Error(HttpStatusCode.NotFound, "invalid_request_error", "resource_missing", $"No such object: '{id}'");
        }
        if (method == HttpMethod.Post && resource == "checkout/sessions" && id is not null && segments.Length == idAt + 2 && segments[idAt + 1] == "expire")
        {
            return ExpireSession(id);
        }
        if (method != HttpMethod.Post || id is not null)
        {
            return Error(HttpStatusCode.NotFound, "invalid_request_error", null, $"Unrecognized request URL ({method}: {path}).");
        }
        return resource switch
        {
            "checkout/sessions" => Created(CheckoutSession(form)),
            "transfers" => Created(Transfer(form)),
            "refunds" => Refund(form),
            "accounts" => Created(Account(form)),
            "account_links" => Json(HttpStatusCode.OK, new JsonObject
            {
                ["object"] = "account_link", ["created"] = Now(), ["expires_at"] = Now() + 300,
                ["url"] = $"https://connect.stripe.com/setup/e/{form.GetValueOrDefault("account")}/{NewId("")}",
            }.ToJsonString()),
            _ => Error(HttpStatusCode.NotFound, "invalid_request_error", null, $"Unrecognized request URL (POST: {path})."),
        };
    }

    HttpResponseMessage Created(JsonObject created)
    {
        _objects[(string)created["id"]!] = created;
        return Json(HttpStatusCode.OK, created.ToJsonString());
    }

    static JsonObject CheckoutSession(Dictionary<string, string> form)
    {
        var id = NewId("cs_test_");
        var unit = long.Parse(form["line_items[0][price_data][unit_amount]"], CultureInfo.InvariantCulture);
        var quantity = long.Parse(form.GetValueOrDefault("line_items[0][quantity]", "1"), CultureInfo.InvariantCulture);
        return new JsonObject
        {
            ["id"] = id, ["object"] = "checkout.session", ["livemode"] = false, ["mode"] = form.GetValueOrDefault("mode"),
            ["amount_total"] = unit * quantity, ["amount_subtotal"] = unit * quantity,
            ["currency"] = form.GetValueOrDefault("line_items[0][price_data][currency]"),
            ["client_reference_id"] = form.GetValueOrDefault("client_reference_id"),
            ["metadata"] = Metadata(form, "metadata"),
            ["payment_intent_data_transfer_group"] = form.GetValueOrDefault("payment_intent_data[transfer_group]"),
            ["payment_intent_data_metadata"] = Metadata(form, "payment_intent_data[metadata]"),
            ["payment_intent"] = null, ["payment_status"] = "unpaid", ["status"] = "open",
            ["success_url"] = form.GetValueOrDefault("success_url"), ["cancel_url"] = form.GetValueOrDefault("cancel_url"),
            ["url"] = $"https://checkout.stripe.com/c/pay/{id}", ["created"] = Now(), ["expires_at"] = Now() + 86_400,
        };
    }

    /// <summary>
    /// <c>expand[]</c> as Stripe does it: each dotted path replaces an id field with the object it names, level by level
    /// (<c>latest_charge.balance_transaction</c> expands the charge, then its balance transaction).
    /// </summary>
    JsonObject Expanded(JsonObject found, Dictionary<string, string> query)
    {
        var copy = found.DeepClone().AsObject();
        foreach (var path in query.Where(q => q.Key.StartsWith("expand[", StringComparison.Ordinal)).Select(q => q.Value))
        {
            var at = copy;
            foreach (var field in path.Split('.'))
            {
                if (at[field] is JsonValue value && value.TryGetValue<string>(out var nestedId) && _objects.TryGetValue(nestedId, out var nested))
                {
                    at[field] = nested.DeepClone();
                }
                if (at[field] is not JsonObject next)
                {
                    break;
                }
                at = next;
            }
        }
        return copy;
    }

    /// <summary>POST /v1/checkout/sessions/{id}/expire: an open session expires; a completed one cannot (400, as Stripe answers).</summary>
    HttpResponseMessage ExpireSession(string id)
    {
        if (!_objects.TryGetValue(id, out var session))
        {
            return Error(HttpStatusCode.NotFound, "invalid_request_error", "resource_missing", $"No such checkout.session: '{id}'");
        }
        if ((string?)session["status"] != "open")
        {
            return Error(HttpStatusCode.BadRequest, "invalid_request_error", "checkout_session_not_open",
                $"Only Checkout Sessions with a status of 'open' can be expired; this one is '{(string?)session["status"]}'.");
        }
        session["status"] = "expired";
        return Json(HttpStatusCode.OK, session.ToJsonString());
    }

    static JsonObject Transfer(Dictionary<string, string> form) => new()
    {
        ["id"] = NewId("tr_"), ["object"] = "transfer", ["livemode"] = false,
        ["amount"] = long.Parse(form["amount"], CultureInfo.InvariantCulture), ["amount_reversed"] = 0, ["reversed"] = false,
        ["currency"] = form.GetValueOrDefault("currency"), ["destination"] = form.GetValueOrDefault("destination"),
        ["transfer_group"] = form.GetValueOrDefault("transfer_group"), ["metadata"] = Metadata(form, "metadata"), ["created"] = Now(),
    };

    HttpResponseMessage Refund(Dictionary<string, string> form)
    {
        var intentId = form.GetValueOrDefault("payment_intent");
        if (intentId is null || !_objects.TryGetValue(intentId, out var intent))
        {
            return Error(HttpStatusCode.BadRequest, "invalid_request_error", "resource_missing", $"No such payment_intent: '{intentId}'");
        }
        var amount = form.TryGetValue("amount", out var a) ? long.Parse(a, CultureInfo.InvariantCulture) : (long)intent["amount_received"]!;
        return Created(new JsonObject
        {
            ["id"] = NewId("re_"), ["object"] = "refund", ["amount"] = amount, ["currency"] = (string?)intent["currency"],
            ["payment_intent"] = intentId, ["status"] = "succeeded", ["metadata"] = Metadata(form, "metadata"), ["created"] = Now(),
        });
    }

    static JsonObject Account(Dictionary<string, string> form) => new()
    {
        ["id"] = NewId("acct_"), ["object"] = "account", ["type"] = form.GetValueOrDefault("type"), ["charges_enabled"] = false,
        ["payouts_enabled"] = false, ["details_submitted"] = false, ["metadata"] = Metadata(form, "metadata"), ["created"] = Now(),
    };

    /// <summary>Stripe's standard fee for a card charge in the fake: 2.9 % + 30 minor units.</summary>
    public static long FeeOf(long amount) => (long)Math.Round(amount * 0.029m, MidpointRounding.AwayFromZero) + 30;

    /// <summary>
    /// The buyer pays on Stripe's page: the session is paid, its PaymentIntent exists with its charge, and the charge's
    /// balance transaction carries Stripe's fee (<see cref="FeeOf"/>); returns the session.
    /// </summary>
    public JsonObject PayCheckout(string sessionId)
    {
        var session = _objects[sessionId];
        var intentId = NewId("pi_");
        var chargeId = NewId("ch_");
        var balanceId = NewId("txn_");
        var amount = (long)session["amount_total"]!;
        var currency = (string?)session["currency"];
        var fee = FeeOf(amount);
        _objects[balanceId] = new JsonObject
        {
            ["id"] = balanceId, ["object"] = "balance_transaction", ["amount"] = amount, ["currency"] = currency, ["fee"] = fee, ["net"] = amount - fee,
            ["fee_details"] = new JsonArray(new JsonObject
            {
                ["amount"] = fee, ["currency"] = currency, ["type"] = "stripe_fee", ["description"] = "Stripe processing fees", ["application"] = null,
            }),
            ["status"] = "pending", ["type"] = "charge", ["reporting_category"] = "charge", ["source"] = chargeId, ["created"] = Now(),
            ["available_on"] = Now() + 2 * 86_400, ["exchange_rate"] = null,
        };
        _objects[chargeId] = new JsonObject
        {
            ["id"] = chargeId, ["object"] = "charge", ["amount"] = amount, ["amount_captured"] = amount, ["amount_refunded"] = 0, ["currency"] = currency,
            ["captured"] = true, ["paid"] = true, ["status"] = "succeeded", ["payment_intent"] = intentId, ["balance_transaction"] = balanceId,
            ["transfer_group"] = (string?)session["payment_intent_data_transfer_group"], ["created"] = Now(), ["livemode"] = false,
        };
        _objects[intentId] = new JsonObject
        {
            ["id"] = intentId, ["object"] = "payment_intent", ["amount"] = amount, ["amount_received"] = amount,
            ["currency"] = currency, ["status"] = "succeeded", ["transfer_group"] = (string?)session["payment_intent_data_transfer_group"],
            ["latest_charge"] = chargeId,
            ["metadata"] = session["payment_intent_data_metadata"]!.DeepClone(), ["created"] = Now(), ["livemode"] = false,
        };
        session["payment_intent"] = intentId;
        session["payment_status"] = "paid";
        session["status"] = "complete";
        return session;
    }

    /// <summary>An event as Stripe delivers it, about a copy of <paramref name="data"/>.</summary>
    public static string Event(string type, JsonObject data, string apiVersion = ApiVersion, string? id = null) => new JsonObject
    {
        ["id"] = id ?? NewId("evt_"), ["object"] = "event", ["api_version"] = apiVersion, ["created"] = Now(), ["livemode"] = false,
        ["pending_webhooks"] = 1, ["request"] = new JsonObject { ["id"] = null, ["idempotency_key"] = null }, ["type"] = type,
        ["data"] = new JsonObject { ["object"] = data.DeepClone() },
    }.ToJsonString();

    /// <summary><c>Stripe-Signature</c> as Stripe computes it: <c>t=…,v1=HMAC-SHA256(secret, "t.body")</c> for each secret.</summary>
    public static string Sign(string body, DateTimeOffset at, params string[] secrets)
    {
        var t = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var v1 = secrets.Select(s => "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(s), Encoding.UTF8.GetBytes($"{t}.{body}"))));
        return $"t={t},{string.Join(',', v1)}";
    }

    static JsonObject Metadata(Dictionary<string, string> form, string prefix)
    {
        var metadata = new JsonObject();
        foreach (var (k, v) in form.Where(f => f.Key.StartsWith(prefix + "[", StringComparison.Ordinal)))
        {
            metadata[k[(prefix.Length + 1)..^1]] = v;
        }
        return metadata;
    }

    static Dictionary<string, string> ParseForm(string body) =>
        body.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(pair => pair.Split('=', 2))
            .ToDictionary(p => WebUtility.UrlDecode(p[0]), p => p.Length > 1 ? WebUtility.UrlDecode(p[1]) : "");

    static HttpResponseMessage Error(HttpStatusCode status, string type, string? code, string message, string? declineCode = null) =>
        Json(status, new JsonObject
        {
            ["error"] = new JsonObject { ["type"] = type, ["code"] = code, ["decline_code"] = declineCode, ["message"] = message },
        }.ToJsonString());

    static HttpResponseMessage Json(HttpStatusCode status, string body)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        response.Headers.Add("Request-Id", NewId("req_"));
        return response;
    }

    static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..24];

    sealed record Fault(string PathPrefix, HttpStatusCode Status, string Type, string? Code, bool? ShouldRetry, string? DeclineCode);
}

/// <summary>A request the fake received; <see cref="Form"/> is the body of a POST, the query of a GET.</summary>
public sealed record FakeRequest(string Method, string Path, IReadOnlyDictionary<string, string> Form, string? IdempotencyKey, string? StripeVersion);

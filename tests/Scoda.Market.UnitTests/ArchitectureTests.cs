using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure;

namespace Scoda.Market.UnitTests;

/// <summary>
/// Holds the dependency rules of docs/ARCHITECTURE.md over the compiled host: a feature is the namespace
/// <c>Scoda.Market.Web.Features.&lt;X&gt;</c> (nested and compiler-made types count for their outer type). A feature does not
/// touch another feature's entities (their DbSets, their entity types), does not call another feature's endpoint class,
/// and calls into another feature only through the types that feature marks <see cref="FeatureContractAttribute"/>
/// (its services) or through plain data (records, enums, structs, interfaces). Infrastructure knows no feature.
/// References are read from signatures and from the IL of every method body, so lambdas, expression trees (LINQ
/// queries compile to <c>ldtoken</c> of the members they use) and async state machines are covered. Entities and their
/// EF configurations may name other features' entities: that is the relational model (foreign keys, navigations) of
/// the one DbContext, not code reaching into another feature's tables.
/// </summary>
public class ArchitectureTests
{
    const string FeaturesPrefix = "Scoda.Market.Web.Features.";
    const string InfrastructurePrefix = "Scoda.Market.Web.Infrastructure";

    static readonly Assembly Host = typeof(MarketDbContext).Assembly;

    /// <summary>Entity types of the one DbContext, each owned by the feature its namespace names.</summary>
    static readonly HashSet<Type> Entities = typeof(MarketDbContext)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.PropertyType.IsGenericType && p.PropertyType.GetGenericTypeDefinition() == typeof(DbSet<>))
        .Select(p => p.PropertyType.GetGenericArguments()[0])
        .Where(t => t.Namespace?.StartsWith(FeaturesPrefix, StringComparison.Ordinal) == true)
        .ToHashSet();

    /// <summary>
    /// Uses that predate the rule, each with the reason it is still here. The list only shrinks: a new use fails the
    /// tests below, and so does an entry that no longer occurs (delete it).
    /// </summary>
    static readonly string[] KnownExceptions =
    [
        // Read-side projections through navigations (titles, names, verification badges shown in lists). To go: a
        // display query in ListingFacts / OrganizationAccess that these lists join against.
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.BuyRequests.BuyRequestsEndpoints -> Scoda.Market.Web.Features.Listings.Listing",
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.BuyRequests.BuyRequestsEndpoints -> Scoda.Market.Web.Features.Organizations.Organization",
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Deals.DealsEndpoints -> Scoda.Market.Web.Features.Listings.Listing",
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Deals.DealsEndpoints -> Scoda.Market.Web.Features.Organizations.Organization",
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Inventory.ReservationsEndpoints -> Scoda.Market.Web.Features.Listings.Listing",
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Inventory.WarehousesEndpoints -> Scoda.Market.Web.Features.Listings.Listing",
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Listings.ListingsEndpoints -> Scoda.Market.Web.Features.Organizations.Organization",
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Listings.ListingsProfile -> Scoda.Market.Web.Features.Organizations.Organization",
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Negotiations.NegotiationService -> Scoda.Market.Web.Features.Listings.Listing",
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Negotiations.NegotiationService -> Scoda.Market.Web.Features.Organizations.Organization",
        // Opening a room checks the buy request belongs to the buyer. To go: a BuyRequests contract.
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Negotiations.NegotiationService -> Scoda.Market.Web.Features.BuyRequests.BuyRequest",
        // Members are Identity users (UserManager<User> finds them by email).
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Organizations.OrganizationsEndpoints -> Scoda.Market.Web.Features.Accounts.User",
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Organizations.OrganizationsProfile -> Scoda.Market.Web.Features.Accounts.User",
        // Search's read model is built from listings, sellers and stock. To go: document facts from each owner.
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Search.ListingDocuments -> Scoda.Market.Web.Features.Inventory.StockLot",
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Search.ListingDocuments -> Scoda.Market.Web.Features.Inventory.Warehouse",
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Search.ListingDocuments -> Scoda.Market.Web.Features.Listings.Listing",
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Search.ListingDocuments -> Scoda.Market.Web.Features.Organizations.Organization",
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Search.SearchIndexBootstrap -> Scoda.Market.Web.Features.Listings.Listing",
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Search.SearchIndexer -> Scoda.Market.Web.Features.Listings.Listing",
        // The demo seeder writes a whole marketplace (development only).
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Demo.DemoCatalog -> Scoda.Market.Web.Features.Inventory.StockMovement",
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Demo.DemoCatalog -> Scoda.Market.Web.Features.Inventory.Warehouse",
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Demo.DemoCatalog -> Scoda.Market.Web.Features.Listings.Listing",
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Demo.DemoCatalog -> Scoda.Market.Web.Features.Organizations.Organization",
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Demo.DemoNegotiations -> Scoda.Market.Web.Features.Accounts.User",
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Demo.DemoNegotiations -> Scoda.Market.Web.Features.Inventory.StockLot",
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Demo.DemoNegotiations -> Scoda.Market.Web.Features.Listings.Listing",
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Demo.DemoNegotiations -> Scoda.Market.Web.Features.Negotiations.NegotiationRoom",
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Demo.DemoNegotiations -> Scoda.Market.Web.Features.Organizations.Organization",
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Demo.SeedDemoCommand -> Scoda.Market.Web.Features.Accounts.User",
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Demo.SeedDemoCommand -> Scoda.Market.Web.Features.Organizations.Membership",
        "EntityOfAnotherFeature: Scoda.Market.Web.Features.Demo.SeedDemoCommand -> Scoda.Market.Web.Features.Organizations.Organization",
        // Identity is wired with Accounts' User in Infrastructure: AuthSetup, the session check (user manager, stamps,
        // ending sessions) and the account mail. To go: move that wiring into AddAccounts.
        "InfrastructureKnowsAFeature: Scoda.Market.Web.Infrastructure.Auth.AuthSetup -> Scoda.Market.Web.Features.Accounts.User",
        "InfrastructureKnowsAFeature: Scoda.Market.Web.Infrastructure.Auth.MarketUserManager -> Scoda.Market.Web.Features.Accounts.User",
        "InfrastructureKnowsAFeature: Scoda.Market.Web.Infrastructure.Auth.SecurityStamps -> Scoda.Market.Web.Features.Accounts.User",
        "InfrastructureKnowsAFeature: Scoda.Market.Web.Infrastructure.Auth.SessionEnding -> Scoda.Market.Web.Features.Accounts.User",
        "InfrastructureKnowsAFeature: Scoda.Market.Web.Infrastructure.Mail.AccountMail -> Scoda.Market.Web.Features.Accounts.User",
        "InfrastructureKnowsAFeature: Scoda.Market.Web.Infrastructure.Mail.MailSetup -> Scoda.Market.Web.Features.Accounts.User",
    ];

    [Fact]
    public void Features_reach_other_features_only_through_their_contracts()
    {
        var violations = Found(v => v.Rule != Rule.InfrastructureKnowsAFeature);

        violations.Except(KnownExceptions).Should().BeEmpty("a feature talks to another through what it marks [FeatureContract] (docs/ARCHITECTURE.md)");
    }

    [Fact]
    public void Infrastructure_references_no_feature()
    {
        var violations = Found(v => v.Rule == Rule.InfrastructureKnowsAFeature);

        violations.Except(KnownExceptions).Should().BeEmpty("features plug into Infrastructure (sinks, outbox rules), never the other way round");
    }

    [Fact]
    public void Every_known_exception_still_occurs()
    {
        var violations = Found(_ => true);

        KnownExceptions.Except(violations).Should().BeEmpty("a use that is gone comes off the list, so the list only shrinks");
    }

    static List<string> Found(Func<Violation, bool> which) =>
        Violations().Where(which).Select(v => v.ToString()).Distinct().Order(StringComparer.Ordinal).ToList();

    [Fact]
    public void The_scan_sees_references_inside_method_bodies_and_queries()
    {
        // The rules are only as good as the scan: a reference made only inside a LINQ expression must be found.
        var found = ReferencesOf(typeof(ScanProbe)).ToList();

        found.Should().Contain(typeof(Uri), "it is named only inside an expression tree");
        found.Should().Contain(typeof(Queryable));
        found.Should().Contain(typeof(Enumerable), "it is called only inside a method body");
        found.Should().Contain(typeof(DbSet<>));
    }

    sealed class ScanProbe
    {
        public string Name { get; set; } = "";

        // Only used in a lambda inside an expression: must still be found.
        public static int Count(IQueryable<ScanProbe> probes) => probes.Where(p => p.Name == Uri.UriSchemeHttp).Count();

        public static int Count(IEnumerable<ScanProbe> probes) => probes.Count(p => p.Name.StartsWith('a'));

        public static DbSet<ScanProbe>? Set => null;
    }

    enum Rule
    {
        EntityOfAnotherFeature,
        EndpointsOfAnotherFeature,
        NotAContract,
        InfrastructureKnowsAFeature,
    }

    sealed record Violation(Rule Rule, Type From, Type To)
    {
        public override string ToString() => $"{Rule}: {Outer(From).FullName} -> {To.FullName}";
    }

    static IEnumerable<Violation> Violations()
    {
        foreach (var type in Host.GetTypes())
        {
            var owner = Outer(type);
            var from = FeatureOf(owner);
            var inInfrastructure = owner.Namespace?.StartsWith(InfrastructurePrefix, StringComparison.Ordinal) == true;
            if (from is null && !inInfrastructure)
            {
                continue;
            }
            foreach (var target in ReferencesOf(type).Select(Outer).Distinct())
            {
                var to = FeatureOf(target);
                if (to is null || to == from)
                {
                    continue;
                }
                if (inInfrastructure)
                {
                    yield return new Violation(Rule.InfrastructureKnowsAFeature, type, target);
                }
                else if (Entities.Contains(target))
                {
                    if (IsModel(owner) || IsContract(target))
                    {
                        continue; // the relational model, or reference data the owner offers to all
                    }
                    yield return new Violation(Rule.EntityOfAnotherFeature, type, target);
                }
                else if (target.Name.EndsWith("Endpoints", StringComparison.Ordinal))
                {
                    yield return new Violation(Rule.EndpointsOfAnotherFeature, type, target);
                }
                else if (!IsContract(target))
                {
                    yield return new Violation(Rule.NotAContract, type, target);
                }
            }
        }
    }

    /// <summary>Entities and their EF configurations: the model may relate tables of different features.</summary>
    static bool IsModel(Type type) =>
        Entities.Contains(type)
        || type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEntityTypeConfiguration<>));

    /// <summary>Services a feature offers carry <see cref="FeatureContractAttribute"/>; data shapes are contracts by nature.</summary>
    static bool IsContract(Type type) =>
        type.GetCustomAttribute<FeatureContractAttribute>() is not null
        || (!Entities.Contains(type) && (type.IsEnum || type.IsValueType || type.IsInterface || IsRecord(type) || typeof(Exception).IsAssignableFrom(type)));

    static bool IsRecord(Type type) => type.GetMethod("<Clone>$") is not null || (type.IsValueType && type.GetMethod("PrintMembers", BindingFlags.NonPublic | BindingFlags.Instance) is not null);

    static string? FeatureOf(Type type)
    {
        var ns = type.Namespace;
        if (ns is null || !ns.StartsWith(FeaturesPrefix, StringComparison.Ordinal))
        {
            return null;
        }
        var rest = ns[FeaturesPrefix.Length..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? rest : rest[..dot];
    }

    static Type Outer(Type type)
    {
        while (type.IsNested)
        {
            type = type.DeclaringType!;
        }
        return type.IsGenericType && !type.IsGenericTypeDefinition ? type.GetGenericTypeDefinition() : type;
    }

    const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Every type <paramref name="type"/> names: in its signatures, its attributes and the IL of its methods.</summary>
    static HashSet<Type> ReferencesOf(Type type)
    {
        var found = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null || t.IsGenericParameter)
            {
                return;
            }
            if (t.HasElementType)
            {
                Add(t.GetElementType());
                return;
            }
            if (!found.Add(t))
            {
                return;
            }
            if (t.IsGenericType)
            {
                found.Add(t.GetGenericTypeDefinition());
                foreach (var argument in t.GetGenericArguments())
                {
                    Add(argument);
                }
            }
        }
        void AddMember(MemberInfo member)
        {
            Add(member.DeclaringType);
            switch (member)
            {
                case MethodInfo method:
                    Add(method.ReturnType);
                    foreach (var p in method.GetParameters())
                    {
                        Add(p.ParameterType);
                    }
                    if (method.IsGenericMethod)
                    {
                        foreach (var argument in method.GetGenericArguments())
                        {
                            Add(argument);
                        }
                    }
                    break;
                case ConstructorInfo constructor:
                    foreach (var p in constructor.GetParameters())
                    {
                        Add(p.ParameterType);
                    }
                    break;
                case FieldInfo field:
                    Add(field.FieldType);
                    break;
                case Type t:
                    Add(t);
                    break;
            }
        }

        Add(type.BaseType);
        foreach (var i in type.GetInterfaces())
        {
            Add(i);
        }
        foreach (var field in type.GetFields(Everything))
        {
            Add(field.FieldType);
        }
        foreach (var property in type.GetProperties(Everything))
        {
            Add(property.PropertyType);
        }
        foreach (var attribute in type.GetCustomAttributesData())
        {
            Add(attribute.AttributeType);
        }
        var methods = type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything));
        foreach (var method in methods)
        {
            AddMember(method);
            foreach (var token in MetadataTokens(method))
            {
                if (Resolve(method, token) is { } member)
                {
                    AddMember(member);
                }
            }
        }
        return found;
    }

    static MemberInfo? Resolve(MethodBase method, int token)
    {
        var typeArguments = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        try
        {
            return method.Module.ResolveMember(token, typeArguments, methodArguments);
        }
        catch (Exception ex) when (ex is ArgumentException or BadImageFormatException or TypeLoadException or MissingMemberException)
        {
            return null; // string and signature tokens, and members of assemblies not loaded here
        }
    }

    static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>The metadata tokens a method's IL refers to (calls, fields, types, ldtoken); strings and signatures are skipped.</summary>
    static IEnumerable<int> MetadataTokens(MethodBase method)
    {
        byte[]? il;
        try
        {
            il = method.GetMethodBody()?.GetILAsByteArray();
        }
        catch (InvalidOperationException)
        {
            il = null;
        }
        if (il is null)
        {
            yield break;
        }
        var i = 0;
        while (i < il.Length)
        {
            short value = il[i] == 0xFE && i + 1 < il.Length ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += value > 0xFF || value < 0 ? 2 : 1;
            if (!OpCodesByValue.TryGetValue(value, out var op))
            {
                yield break;
            }
            switch (op.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                    yield return BitConverter.ToInt32(il, i);
                    i += 4;
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    i += 8;
                    break;
                case OperandType.InlineSwitch:
                    var count = BitConverter.ToInt32(il, i);
                    i += 4 + (4 * count);
                    break;
                default: // InlineBrTarget, InlineI, InlineSig, InlineString, ShortInlineR
                    i += 4;
                    break;
            }
        }
    }
}

namespace Scoda.Market.Web.Infrastructure;

/// <summary>
/// Marks what a feature offers the other features (docs/ARCHITECTURE.md): its services (OrganizationAccess, StockLedger,
/// DealService …) and the shared rules and value collections others build on. The only classes of a feature another
/// feature may use; plain data (records, enums, structs, interfaces) needs no mark. ArchitectureTests holds the rule.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class FeatureContractAttribute : Attribute;

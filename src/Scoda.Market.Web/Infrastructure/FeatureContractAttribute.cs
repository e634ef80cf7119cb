namespace Scoda.Market.Web.Infrastructure;

/// <summary>
/// Marks a service a feature offers to the other features (docs/ARCHITECTURE.md): the only classes of a feature that
/// another feature may call. Plain data (records, enums, structs) needs no mark. ArchitectureTests holds the rule.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class FeatureContractAttribute : Attribute;

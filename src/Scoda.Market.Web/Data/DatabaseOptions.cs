namespace Scoda.Market.Web.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary><c>Database:*</c> settings. The connection string is <c>ConnectionStrings:Market</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Apply pending migrations when the host starts (the <c>migrate</c> command does it on demand).</summary>
    public bool MigrateOnStartup { get; set; } = true;
}

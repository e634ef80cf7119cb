using FluentAssertions;
using Scoda.Market.Web.Data;

namespace Scoda.Market.UnitTests;

public class MigrationScriptTests
{
    [Fact]
    public void Both_providers_ship_the_same_contiguous_versions()
    {
        var sqlite = Migrator.ScriptsFor(DatabaseProvider.Sqlite);
        var postgres = Migrator.ScriptsFor(DatabaseProvider.Postgres);

        sqlite.Should().NotBeEmpty();
        sqlite.Select(s => (s.Version, s.Name)).Should().Equal(postgres.Select(s => (s.Version, s.Name)));
        sqlite.Select(s => s.Version).Should().Equal(Enumerable.Range(1, sqlite.Count));
    }

    [Fact]
    public void A_checksum_ignores_line_endings_but_not_content()
    {
        var unix = new MigrationScript(1, "x", "CREATE TABLE a (b int);\nSELECT 1;\n");
        var windows = new MigrationScript(1, "x", "CREATE TABLE a (b int);\r\nSELECT 1;\r\n");
        var edited = new MigrationScript(1, "x", "CREATE TABLE a (b bigint);\nSELECT 1;\n");

        windows.Checksum.Should().Be(unix.Checksum);
        edited.Checksum.Should().NotBe(unix.Checksum);
    }
}

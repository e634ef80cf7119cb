using FluentAssertions;
using Scoda.Market.Web.Features.Taxonomy;

namespace Scoda.Market.UnitTests;

public class TaxonomyFileTests
{
    [Fact]
    public void The_shipped_taxonomy_is_consistent()
    {
        var categories = TaxonomyFile.Categories;
        var leaves = categories.Where(c => c.IsLeaf).ToList();

        categories.Select(c => c.Key).Should().OnlyHaveUniqueItems();
        categories.Select(c => c.Id).Should().OnlyHaveUniqueItems();
        leaves.Should().OnlyContain(c => c.HsCode!.Length == 6 && c.HsCode.All(char.IsAsciiDigit));
        leaves.Should().OnlyContain(c => c.Unit == "t" || c.Unit == "m3");
        leaves.Should().OnlyContain(c => c.Specs.Count > 0 && c.Specs.Any(s => s.Required));
        foreach (var spec in leaves.SelectMany(c => c.Specs))
        {
            spec.Label.Keys.Should().Contain(["en", "ru", "zh"]);
            if (spec.Type == SpecField.Number)
            {
                spec.Min.Should().BeLessThan(spec.Max!.Value);
                spec.Unit.Should().NotBeNullOrEmpty();
            }
            else
            {
                spec.Type.Should().Be(SpecField.Enum);
                spec.Options.Should().NotBeNullOrEmpty();
            }
        }
        categories.Should().OnlyContain(c => c.Name.ContainsKey("en") && c.Name.ContainsKey("ru") && c.Name.ContainsKey("zh"));
        categories.Where(c => c.Path.StartsWith("/timber/", StringComparison.Ordinal) && c.IsLeaf).Should().OnlyContain(c => c.Unit == "m3");
    }

    [Theory]
    [InlineData("wheat", "100199")]
    [InlineData("barley", "100390")]
    [InlineData("maize", "100590")]
    [InlineData("soybeans", "120190")]
    [InlineData("rapeseed", "120510")]
    [InlineData("flaxseed", "120400")]
    [InlineData("sunflower-oil-crude", "151211")]
    [InlineData("cotton-lint", "520100")]
    [InlineData("iron-ore-fines", "260111")]
    [InlineData("copper-concentrate", "260300")]
    [InlineData("manganese-ore", "260200")]
    [InlineData("potash-mop", "310420")]
    [InlineData("fluorspar-acid-grade", "252922")]
    [InlineData("thermal-coal", "270112")]
    [InlineData("sawn-pine", "440711")]
    [InlineData("sawn-spruce", "440712")]
    [InlineData("birch-plywood", "441233")]
    public void Commodities_carry_their_hs_2022_subheading(string key, string hsCode) =>
        TaxonomyFile.Categories.Single(c => c.Key == key).HsCode.Should().Be(hsCode);

    [Fact]
    public void Category_ids_are_stable_and_derived_from_keys() =>
        Category.IdFor("wheat").Should().Be(Category.IdFor("wheat")).And.NotBe(Category.IdFor("barley"));
}

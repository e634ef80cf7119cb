using FluentAssertions;

namespace Scoda.Market.Search.Tests;

/// <summary>
/// How text becomes terms. Documents are written with <see cref="TextAnalysis.IndexText"/> and queries read with
/// <see cref="TextAnalysis.Tokenize"/>: any difference between the two is a listing that can never be found.
/// </summary>
public sealed class TextAnalysisTests
{
    [Theory]
    [InlineData("Пшеница", "пшениц")]
    [InlineData("пшеницы", "пшениц")]
    [InlineData("Твёрдая ЁЛКА", "тверд елка")]
    [InlineData("bug'doy bug’doy BUGʻDOY", "bugdoy bugdoy bugdoy")]
    [InlineData("lentils varieties grass", "lentil variety grass")]
    [InlineData("Şeker Café Čočka", "seker cafe cocka")]
    [InlineData("ＷＨＥＡＴ １２５", "wheat 125")]
    [InlineData("优质小麦出口", "优质 质小 小麦 麦出 出口")]
    [InlineData("麦", "麦")]
    [InlineData("wheat小麦12.5%", "wheat 小麦 12 5")]
    [InlineData("((( *:* \"AND\" NEAR", "and near")]
    [InlineData("", "")]
    public void Text_becomes_the_expected_terms(string text, string terms)
    {
        TextAnalysis.IndexText(text).Should().Be(terms);
        string.Join(' ', TextAnalysis.Tokenize(text).Select(t => t.Term)).Should().Be(terms);
    }

    [Theory]
    [InlineData("Бидай Қазақстан ӘҢҒҮҰҚӨҺІ ұн")]
    [InlineData("İSTANBUL ıSPARTA straße ÆRØ")]
    [InlineData("Ğalla O'zbekiston g‘alla ўзбекистон")]
    [InlineData("𠀋𠀋 emoji 🌾 wheat 🌾")]
    [InlineData("supercalifragilisticexpialidocioussupercalifragilisticexpialidociousandmorethansixtyfourcharacters")]
    [InlineData("Соя-бобы, 1-го класса; 大豆（非转基因）ГОСТ 17109-88")]
    [InlineData("ﬁne ﬂour ½ ton Ⅻ")]
    public void Documents_and_queries_always_agree_on_the_terms(string text) =>
        TextAnalysis.IndexText(text).Should().Be(string.Join(' ', TextAnalysis.Tokenize(text).Select(t => t.Term)));

    [Fact]
    public void Token_positions_point_at_the_words_they_came_from()
    {
        const string text = "Пшеница 小麦 bug'doy";
        var tokens = TextAnalysis.Tokenize(text);
        tokens.Select(t => text.Substring(t.Start, t.Length)).Should().Equal("Пшеница", "小麦", "bug'doy");
        tokens.Select(t => t.Run).Should().Equal(0, 1, 2);
    }
}

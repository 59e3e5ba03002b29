using Archive.Search.Lucene.Internal;

namespace Archive.Search.Lucene.Tests;

public sealed class QueryTextTests
{
    private static string Show(string? q) => string.Join(" | ", QueryTextParser.Parse(q).Select(c => $"{c.Kind}:{c.Text}"));

    [Theory]
    [InlineData(null, "")]
    [InlineData("   ", "")]
    [InlineData("hồ sơ lưu trữ", "Words:hồ sơ lưu trữ")]
    [InlineData("\"lưu trữ lịch sử\"", "Phrase:lưu trữ lịch sử")]
    [InlineData("tài liệu -mật", "Words:tài liệu | Exclude:mật")]
    [InlineData("a \"b c\" d", "Words:a | Phrase:b c | Words:d")]
    [InlineData("-\"chỉnh lý\" tài liệu", "Exclude:chỉnh lý | Words:tài liệu")]
    [InlineData("\"unclosed phrase", "Phrase:unclosed phrase")]
    [InlineData("05/BNV-VP", "Words:05/BNV-VP")]
    [InlineData("kinh-tế - xã hội", "Words:kinh-tế - xã hội")]
    [InlineData("\"\" -", "Words:-")]
    public void Parses_words_phrases_and_exclusions(string? query, string expected)
        => Assert.Equal(expected, Show(query));

    [Fact]
    public void Cursor_round_trips_and_rejects_tampering()
    {
        var c = new Cursor("g000001", 42, 7UL, SearchSort.DateDescending, 0, 738000, "id/ạ");
        var text = c.Encode();
        Assert.Equal(c, Cursor.TryDecode(text));
        Assert.Null(Cursor.TryDecode(text + "A"));
        Assert.Null(Cursor.TryDecode(text[..^2]));
        Assert.Null(Cursor.TryDecode("%%%"));
    }
}

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
    public void Cursor_point_in_time_round_trips()
    {
        var c = new SearchCursor(SearchSort.DateDescending, 7UL, 0, 738000, "id/ạ") { PointInTime = LuceneSearchIndex.PointInTime("g000001", 42) };
        var decoded = SearchCursor.TryDecode(c.Encode());
        Assert.Equal(c, decoded);
        Assert.Equal(("g000001", 42L), LuceneSearchIndex.ParsePointInTime(decoded!.PointInTime));
        Assert.Null(LuceneSearchIndex.ParsePointInTime(null));
        Assert.Null(LuceneSearchIndex.ParsePointInTime("g000001"));
        Assert.Null(LuceneSearchIndex.ParsePointInTime("@42"));
        Assert.Null(LuceneSearchIndex.ParsePointInTime("g000001@x"));
    }
}

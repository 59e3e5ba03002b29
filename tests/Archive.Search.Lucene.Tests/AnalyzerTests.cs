using Archive.Search.Lucene.Analysis;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;

namespace Archive.Search.Lucene.Tests;

public sealed class AnalyzerTests
{
    private static List<(string Term, int Position, int Start, int End)> Tokens(VietnameseAnalysisMode mode, string text)
    {
        using var analyzer = new VietnameseAnalyzer(mode);
        using var stream = analyzer.GetTokenStream("f", text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        var inc = stream.AddAttribute<IPositionIncrementAttribute>();
        var offsets = stream.AddAttribute<IOffsetAttribute>();
        stream.Reset();
        var list = new List<(string, int, int, int)>();
        var pos = -1;
        while (stream.IncrementToken())
        {
            pos += inc.PositionIncrement;
            list.Add((term.ToString(), pos, offsets.StartOffset, offsets.EndOffset));
        }

        stream.End();
        return list;
    }

    private static string[] Terms(VietnameseAnalysisMode mode, string text) => Tokens(mode, text).Select(t => t.Term).ToArray();

    [Fact]
    public void Exact_mode_splits_syllables_lowercases_and_keeps_diacritics()
    {
        Assert.Equal(["hồ", "sơ", "lưu", "trữ", "lịch", "sử", "đà", "nẵng"], Terms(VietnameseAnalysisMode.Exact, "Hồ sơ Lưu trữ lịch sử, ĐÀ NẴNG."));
    }

    [Fact]
    public void Folded_mode_removes_diacritics_and_maps_d_with_stroke()
    {
        Assert.Equal(["ho", "so", "luu", "tru", "lich", "su", "da", "nang"], Terms(VietnameseAnalysisMode.Folded, "Hồ sơ Lưu trữ lịch sử, ĐÀ NẴNG."));
        Assert.Equal(["duong", "day", "nong"], Terms(VietnameseAnalysisMode.Folded, "Đường dây nóng"));
    }

    [Fact]
    public void Bigram_mode_emits_adjacent_folded_pairs_only()
    {
        Assert.Equal(["ho so", "so luu", "luu tru"], Terms(VietnameseAnalysisMode.FoldedBigrams, "Hồ sơ lưu trữ"));
        Assert.Empty(Terms(VietnameseAnalysisMode.FoldedBigrams, "Hồ"));
    }

    [Fact]
    public void Decomposed_input_gives_the_same_terms_as_precomposed()
    {
        var nfc = "Người Việt Nam";
        var nfd = nfc.Normalize(System.Text.NormalizationForm.FormD);
        Assert.NotEqual(nfc, nfd);
        Assert.Equal(Terms(VietnameseAnalysisMode.Exact, nfc), Terms(VietnameseAnalysisMode.Exact, nfd));
        Assert.Equal(["người", "việt", "nam"], Terms(VietnameseAnalysisMode.Exact, nfd));
    }

    [Fact]
    public void Both_tone_placements_give_one_term()
    {
        Assert.Equal(["hoà", "hoà", "thuỷ", "thuỷ", "khoẻ", "khoẻ", "quý", "hoàng"], Terms(VietnameseAnalysisMode.Exact, "hòa hoà thủy thuỷ khỏe khoẻ quý hoàng"));
        Assert.Equal(["HOÀ"], [VietnameseText.NormalizeWord("HÒA")]);
    }

    [Fact]
    public void Offsets_point_into_the_original_text_for_highlighting()
    {
        var text = "Bàn giao phông";
        var tokens = Tokens(VietnameseAnalysisMode.Folded, text);
        Assert.Equal("phong", tokens[2].Term);
        Assert.Equal("phông", text[tokens[2].Start..tokens[2].End]);
        Assert.Equal([0, 1, 2], tokens.Select(t => t.Position));
    }

    [Fact]
    public void Codes_and_numbers_are_tokens()
    {
        Assert.Equal(["05", "bnv", "vp", "ngày", "30", "6", "2025"], Terms(VietnameseAnalysisMode.Exact, "05/BNV-VP ngày 30/6/2025"));
    }

    [Theory]
    [InlineData("Đồng Nai", "Dong Nai")]
    [InlineData("Lưu trữ lịch sử", "Luu tru lich su")]
    [InlineData("ẮẰẲẴẶ ấầẩẫậ ơờớởỡợ ưừứửữự", "AAAAA aaaaa oooooo uuuuuu")]
    [InlineData("café naïve", "cafe naive")]
    [InlineData("abc 123", "abc 123")]
    public void Fold_removes_every_vietnamese_diacritic(string input, string expected)
    {
        Assert.Equal(expected, VietnameseText.Fold(input));
        Assert.Equal(expected, VietnameseText.Fold(input.Normalize(System.Text.NormalizationForm.FormD)));
        Assert.Equal(input != expected, VietnameseText.HasDiacritics(input));
    }

    [Fact]
    public void Analyzer_is_reusable_across_fields_and_texts()
    {
        using var analyzer = new VietnameseAnalyzer(VietnameseAnalysisMode.Folded);
        for (var i = 0; i < 3; i++)
        {
            using var s = analyzer.GetTokenStream("x" + i, "Văn bản số " + i);
            s.Reset();
            var n = 0;
            while (s.IncrementToken())
            {
                n++;
            }

            s.End();
            Assert.Equal(4, n);
        }
    }

    [Fact]
    public void Whole_analysis_chain_is_a_standard_lucene_analyzer()
    {
        Analyzer a = new VietnameseAnalyzer(VietnameseAnalysisMode.Exact);
        Assert.Equal(VietnameseAnalyzer.ValueGap, a.GetPositionIncrementGap("text"));
        a.Dispose();
    }
}

public sealed class SyllableTokensTests
{
    [Theory]
    [InlineData("Hồ sơ Lưu trữ lịch sử, ĐÀ NẴNG.")]
    [InlineData("05/BNV-VP ngày 30/6/2025 — hòa giải thủy lợi")]
    [InlineData("Người Việt Nam")]
    [InlineData("")]
    [InlineData("một")]
    public void Replayed_fields_give_the_terms_of_the_analyzer(string text)
    {
        var nfd = text.Normalize(System.Text.NormalizationForm.FormD);
        foreach (var input in new[] { text, nfd })
        {
            var tokens = Archive.Search.Lucene.Internal.SyllableTokens.Analyze("f", input);
            foreach (var mode in Enum.GetValues<VietnameseAnalysisMode>())
            {
                var field = tokens.Field("f", mode);
                using var replay = field.GetTokenStream(new VietnameseAnalyzer(mode));
                Assert.Equal(Read(new VietnameseAnalyzer(mode).GetTokenStream("f", input)), Read(replay));
            }
        }
    }

    private static List<(string, int, int, int)> Read(TokenStream stream)
    {
        var term = stream.AddAttribute<ICharTermAttribute>();
        var inc = stream.AddAttribute<IPositionIncrementAttribute>();
        var offsets = stream.AddAttribute<IOffsetAttribute>();
        stream.Reset();
        var list = new List<(string, int, int, int)>();
        while (stream.IncrementToken())
        {
            list.Add((term.ToString(), inc.PositionIncrement, offsets.StartOffset, offsets.EndOffset));
        }

        stream.End();
        list.Add(("<end>", 0, offsets.StartOffset, offsets.EndOffset));
        stream.Dispose();
        return list;
    }
}

using System.Text;
using System.Text.Json.Nodes;
using Archive.Testing.Search;
using Archive.Search.Elastic.Internal;
using Archive.Search.Elastic.Tests.Support;
using Archive.Search.Lucene.Analysis;
using Xunit;

namespace Archive.Search.Elastic.Tests;

/// <summary>
/// The analysis the adapter sends to Elasticsearch gives the same terms as the embedded Lucene engine: the three
/// analyzers of the create-index request are rebuilt from its JSON on Lucene.NET (the classes Elasticsearch uses) and
/// compared token by token with <see cref="VietnameseAnalyzer"/>.
/// </summary>
public class AnalysisTests
{
    private static readonly JsonNode Body = CreateIndexBody();

    public static TheoryData<string, VietnameseAnalysisMode> Analyzers => new()
    {
        { IndexDefinition.ExactAnalyzer, VietnameseAnalysisMode.Exact },
        { IndexDefinition.FoldedAnalyzer, VietnameseAnalysisMode.Folded },
        { IndexDefinition.BigramAnalyzer, VietnameseAnalysisMode.FoldedBigrams },
    };

    private const string Letters = "aàảãáạăằẳẵắặâầẩẫấậeèẻẽéẹêềểễếệiìỉĩíịoòỏõóọôồổỗốộơờởỡớợuùủũúụưừửữứựyỳỷỹýỵđ";

    internal static JsonNode CreateIndexBody()
    {
        var s = new Scenario { AliasExists = false };
        s.Index.RefreshAsync(TestContext.Current.CancellationToken).AsTask().GetAwaiter().GetResult();
        return s.Requests.Single(r => r.Method == "PUT").Json!;
    }

    [Theory]
    [MemberData(nameof(Analyzers))]
    public void Fixture_texts_analyse_as_in_the_embedded_engine(string analyzer, VietnameseAnalysisMode mode)
    {
        var texts = SearchFixtures.Records
            .SelectMany(d => new[] { d.Title, d.Subject, d.Text, d.IssuingBody, d.DocumentType, d.CodeNumber }.Concat(d.Pages ?? []).Concat(d.Keywords))
            .OfType<string>()
            .Concat(["ho\u0302\u0300 so\u031B", "hoà giải", "ĐƯỜNG DÂY NÓNG", "\"lưu trữ lịch sử\"", "thôn Đông", "05/UBND-VP", "12/QĐ-BNV"]);
        AssertSame(analyzer, mode, texts);
    }

    [Theory]
    [MemberData(nameof(Analyzers))]
    public void Every_vietnamese_letter_in_every_composition_and_case_analyses_as_in_the_embedded_engine(string analyzer, VietnameseAnalysisMode mode)
    {
        var texts = new List<string>();
        foreach (var c in Letters + Letters.ToUpperInvariant())
        {
            var nfc = c.ToString();
            var nfd = nfc.Normalize(NormalizationForm.FormD);
            texts.Add($"t{nfc}n {nfc}ng x{nfc}");
            texts.Add($"t{nfd}n {nfd}ng x{nfd}");
            if (nfd.Length == 3)
            {
                // Half-composed, as "Unicode tổ hợp" keyboards type it: the letter with its hat or horn, then the tone mark.
                texts.Add($"t{(nfd[..2]).Normalize(NormalizationForm.FormC)}{nfd[2]}n");
                texts.Add($"t{nfd[0]}{nfd[2]}{nfd[1]}n"); // marks in the other canonical order
            }
        }

        AssertSame(analyzer, mode, texts);
    }

    [Theory]
    [MemberData(nameof(Analyzers))]
    public void Both_tone_placements_analyse_as_in_the_embedded_engine(string analyzer, VietnameseAnalysisMode mode)
    {
        var texts = new List<string>();
        foreach (var tone in "\u0300\u0301\u0309\u0303\u0323")
        {
            foreach (var (first, second) in new[] { ('o', 'a'), ('o', 'e'), ('u', 'y'), ('O', 'A'), ('O', 'e'), ('U', 'Y'), ('u', 'Y') })
            {
                var old = (first + tone.ToString()).Normalize(NormalizationForm.FormC) + second;
                var modern = first + (second + tone.ToString()).Normalize(NormalizationForm.FormC);
                texts.Add($"h{old} kh{old} {old} h{modern}");
                texts.Add($"q{old} Q{old} qu{old[1..]}");
            }
        }

        texts.AddRange(["Hòa Bình", "hoà bình", "khỏe mạnh", "khoẻ", "thủy lợi", "thuỷ", "ủy ban", "uỷ ban", "quý", "quỳ", "Thúy", "thuý", "HÒA"]);
        AssertSame(analyzer, mode, texts);
    }

    [Theory]
    [MemberData(nameof(Analyzers))]
    public void Vietnamese_legal_corpus_analyses_as_in_the_embedded_engine(string analyzer, VietnameseAnalysisMode mode)
    {
        var path = Corpus.AlqacPath();
        Assert.SkipWhen(path is null, "shared/corpus/alqac (ALQAC 2022) is not beside the work tree; set ARCHIVE_SHARED_DIR to the shared folder to run this comparison");
        AssertSame(analyzer, mode, Corpus.Texts(path!, 400));
    }

    [Fact]
    public void Diacritics_fold_to_the_base_letter_including_d_with_stroke()
    {
        var folded = new EsAnalysisChain(Body, IndexDefinition.FoldedAnalyzer);
        Assert.Equal(["duong", "day", "nong"], folded.Tokens("ĐƯỜNG DÂY NÓNG"));
        Assert.Equal(["duong", "day", "nong"], folded.Tokens("đường dây nóng"));
        foreach (var c in Letters)
        {
            var expected = c == 'đ' ? "d" : c.ToString().Normalize(NormalizationForm.FormD)[..1];
            Assert.Equal([expected], folded.Tokens(c.ToString()));
            Assert.Equal([expected], folded.Tokens(char.ToUpperInvariant(c).ToString()));
        }
    }

    [Fact]
    public void Elasticsearch_asciifolding_would_fold_vietnamese_letters_the_same_way_including_d_with_stroke()
    {
        // Lucene's ASCIIFoldingFilter is what Elasticsearch's asciifolding runs. For Vietnamese it agrees with the
        // embedded engine's table; the adapter still sends that table, because asciifolding also rewrites other
        // scripts (æ → ae, ß → ss, ø → o) where the embedded engine does not.
        foreach (var c in Letters + Letters.ToUpperInvariant())
        {
            var output = new char[8];
            var n = global::Lucene.Net.Analysis.Miscellaneous.ASCIIFoldingFilter.FoldToASCII(new[] { c }, 0, output, 0, 1);
            Assert.Equal(VietnameseRules.Fold(c).ToString(), new string(output, 0, n));
        }

        var ae = new char[8];
        Assert.Equal("ae", new string(ae, 0, global::Lucene.Net.Analysis.Miscellaneous.ASCIIFoldingFilter.FoldToASCII(new[] { 'æ' }, 0, ae, 0, 1)));
        Assert.Equal('æ', VietnameseRules.Fold('æ'));
    }

    [Fact]
    public void Exact_analyzer_keeps_diacritics_and_composes_decomposed_input()
    {
        var exact = new EsAnalysisChain(Body, IndexDefinition.ExactAnalyzer);
        Assert.Equal(["hồ", "sơ"], exact.Tokens("ho\u0302\u0300 so\u031B"));
        Assert.Equal(["hồ", "sơ"], exact.Tokens("Hồ Sơ"));
        Assert.NotEqual(exact.Tokens("hồ"), exact.Tokens("họ"));
        Assert.Equal(["hoà", "giải"], exact.Tokens("hòa giải"));
        Assert.Equal(["thuỷ"], exact.Tokens("Thủy"));
        Assert.Equal(["quỳ"], exact.Tokens("quỳ"));
    }

    [Fact]
    public void Bigrams_are_pairs_of_adjacent_folded_syllables()
    {
        var bigrams = new EsAnalysisChain(Body, IndexDefinition.BigramAnalyzer);
        Assert.Equal(["ho so", "so luu", "luu tru"], bigrams.Tokens("Hồ sơ lưu trữ"));
        Assert.Empty(bigrams.Tokens("hồ"));
    }

    [Fact]
    public void Multi_valued_fields_keep_phrases_inside_one_value()
    {
        Assert.Equal(VietnameseAnalyzer.ValueGap, IndexDefinition.ValueGap);
        foreach (var name in new[] { IndexDefinition.ExactAnalyzer, IndexDefinition.FoldedAnalyzer, IndexDefinition.BigramAnalyzer })
        {
            Assert.Equal(VietnameseAnalyzer.ValueGap, new EsAnalysisChain(Body, name).PositionIncrementGap);
        }
    }

    [Fact]
    public void Query_side_diacritics_detection_matches_the_embedded_engine()
    {
        foreach (var text in new[] { "ho so", "hồ sơ", "ho\u0302\u0300", "đ", "Đ", "abc 123", "naïve", "ø" })
        {
            Assert.Equal(VietnameseText.HasDiacritics(text), VietnameseRules.HasDiacritics(text));
        }

        for (var c = '\u0080'; c < '\u2000'; c++)
        {
            Assert.Equal(VietnameseText.Fold(c), VietnameseRules.Fold(c));
        }
    }

    private static void AssertSame(string analyzer, VietnameseAnalysisMode mode, IEnumerable<string> texts)
    {
        var es = new EsAnalysisChain(Body, analyzer);
        var lucene = new VietnameseAnalyzer(mode);
        var mismatches = new List<string>();
        var compared = 0;
        foreach (var text in texts)
        {
            var expected = EsAnalysisChain.Tokens(lucene, text);
            var actual = es.Tokens(text);
            compared++;
            if (!expected.SequenceEqual(actual))
            {
                var at = Enumerable.Range(0, Math.Min(expected.Count, actual.Count)).FirstOrDefault(i => expected[i] != actual[i], Math.Min(expected.Count, actual.Count));
                mismatches.Add($"'{(text.Length > 80 ? text[..80] + "…" : text)}': token {at}: embedded '{expected.ElementAtOrDefault(at)}' vs elasticsearch '{actual.ElementAtOrDefault(at)}'");
            }
        }

        Assert.True(compared > 0);
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {compared} texts analyse differently:\n" + string.Join("\n", mismatches.Take(20)));
    }
}

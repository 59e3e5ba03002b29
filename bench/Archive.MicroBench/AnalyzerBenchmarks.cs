using Archive.Bench;
using Archive.Search.Lucene.Analysis;
using BenchmarkDotNet.Attributes;
using Lucene.Net.Analysis.TokenAttributes;

namespace Archive.MicroBench;

/// <summary>
/// Tokenisation of Vietnamese text by the index analyzer chain (UAX #29 syllables, NFC, tone-mark placement,
/// lower-casing; folding of diacritics; adjacent-syllable bigrams), per mode, over ~10,000 characters of
/// administrative text (the text layer of a 3-page PDF).
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class AnalyzerBenchmarks
{
    private string _text = string.Empty;
    private VietnameseAnalyzer _analyzer = null!;

    [Params(VietnameseAnalysisMode.Exact, VietnameseAnalysisMode.Folded, VietnameseAnalysisMode.FoldedBigrams)]
    public VietnameseAnalysisMode Mode { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _text = BenchText.Paragraphs(new Random(1), 10_000);
        _analyzer = new VietnameseAnalyzer(Mode);
    }

    [GlobalCleanup]
    public void Cleanup() => _analyzer.Dispose();

    /// <summary>Tokens produced (and their characters summed, so nothing is optimised away).</summary>
    [Benchmark]
    public int Tokenise()
    {
        using var stream = _analyzer.GetTokenStream("text", _text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        var chars = 0;
        while (stream.IncrementToken())
        {
            chars += term.Length;
        }

        stream.End();
        return chars;
    }
}

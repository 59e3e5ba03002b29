using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Shingle;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Util;

namespace Archive.Search.Lucene.Analysis;

/// <summary>What a <see cref="VietnameseAnalyzer"/> emits for each syllable.</summary>
public enum VietnameseAnalysisMode
{
    /// <summary>Lower-cased syllables with their diacritics (<c>hồ</c>, <c>sơ</c>).</summary>
    Exact = 0,

    /// <summary>Lower-cased syllables without diacritics (<c>ho</c>, <c>so</c>).</summary>
    Folded = 1,

    /// <summary>Pairs of adjacent folded syllables (<c>ho so</c>, <c>so luu</c>): Vietnamese words are mostly two syllables.</summary>
    FoldedBigrams = 2,
}

/// <summary>
/// Vietnamese analysis: Unicode word segmentation (UAX #29, which splits Vietnamese text into syllables), NFC and
/// tone-placement normalisation, lower-casing (invariant culture, as Lucene's LowerCaseFilter), and — depending on <see cref="VietnameseAnalysisMode"/> — diacritics
/// folding and syllable bigrams.
/// </summary>
public sealed class VietnameseAnalyzer : Analyzer
{
    /// <summary>The Lucene compatibility version used by the analysis chain.</summary>
    public const LuceneVersion Version = LuceneVersion.LUCENE_48;

    /// <summary>Positions left between the values of a multi-valued field (pages), so phrases never span two values.</summary>
    public const int ValueGap = 100;

    /// <summary>Creates an analyzer for one mode.</summary>
    public VietnameseAnalyzer(VietnameseAnalysisMode mode)
    {
        Mode = mode;
    }

    /// <summary>The mode.</summary>
    public VietnameseAnalysisMode Mode { get; }

    /// <inheritdoc />
    public override int GetPositionIncrementGap(string fieldName) => ValueGap;

    /// <inheritdoc />
    protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader)
        => CreateChain(Mode, reader);

    internal static TokenStreamComponents CreateChain(VietnameseAnalysisMode mode, TextReader reader)
    {
        var tokenizer = new StandardTokenizer(Version, reader);
        TokenStream stream = new VietnameseNormalizationFilter(tokenizer, lowerCase: true);
        if (mode != VietnameseAnalysisMode.Exact)
        {
            stream = new VietnameseFoldingFilter(stream);
        }

        if (mode == VietnameseAnalysisMode.FoldedBigrams)
        {
            var shingles = new ShingleFilter(stream, 2, 2);
            shingles.SetOutputUnigrams(false);
            stream = shingles;
        }

        return new TokenStreamComponents(tokenizer, stream);
    }
}

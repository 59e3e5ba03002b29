using Archive.Search.Lucene.Analysis;
using Lucene.Net.Analysis;

namespace Archive.Search.Lucene.Internal;

/// <summary>Lucene field names used by the index.</summary>
internal static class Fields
{
    /// <summary>Document id: indexed term (for updates) and sorted doc values (tie-break sort).</summary>
    public const string Id = "id";

    /// <summary>The stored JSON of the <see cref="SearchDocument"/>.</summary>
    public const string Source = "_source";

    /// <summary>Date as day number: indexed numeric (range filters) and numeric doc values (sort).</summary>
    public const string Date = "date";

    /// <summary>Prefix of exact-match filter/facet fields (<c>f.agency</c>, <c>f.tag.x</c>).</summary>
    public const string ExactPrefix = "f.";

    /// <summary>Analysed text groups, in the order they are searched.</summary>
    public static readonly TextGroup Title = new("title");

    /// <summary>Subject (trích yếu).</summary>
    public static readonly TextGroup Subject = new("subject");

    /// <summary>Keywords, issuing body, type, codes.</summary>
    public static readonly TextGroup Meta = new("meta");

    /// <summary>Full text and pages.</summary>
    public static readonly TextGroup Body = new("body");

    public static readonly TextGroup[] Groups = [Title, Subject, Meta, Body];

    public static string Exact(string searchField) => ExactPrefix + searchField;
}

/// <summary>One analysed text group and the names of its three indexed variants.</summary>
internal sealed class TextGroup(string name)
{
    public string Name { get; } = name;

    /// <summary>Syllables with diacritics.</summary>
    public string Accented { get; } = name;

    /// <summary>Syllables without diacritics.</summary>
    public string Folded { get; } = name + ".f";

    /// <summary>Folded syllable bigrams.</summary>
    public string Bigrams { get; } = name + ".s";
}

/// <summary>Chooses the Vietnamese analysis mode from the field name's suffix.</summary>
internal sealed class ArchiveFieldAnalyzer : Analyzer
{
    public ArchiveFieldAnalyzer()
        : base(PER_FIELD_REUSE_STRATEGY)
    {
    }

    public static VietnameseAnalysisMode ModeOf(string fieldName)
        => fieldName.EndsWith(".f", StringComparison.Ordinal) ? VietnameseAnalysisMode.Folded
        : fieldName.EndsWith(".s", StringComparison.Ordinal) ? VietnameseAnalysisMode.FoldedBigrams
        : VietnameseAnalysisMode.Exact;

    public override int GetPositionIncrementGap(string fieldName) => VietnameseAnalyzer.ValueGap;

    protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader)
        => VietnameseAnalyzer.CreateChain(ModeOf(fieldName), reader);
}

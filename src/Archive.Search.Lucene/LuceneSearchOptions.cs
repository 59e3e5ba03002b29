using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Archive.Search.Lucene;

/// <summary>Settings of the embedded Lucene.NET search index.</summary>
public sealed class LuceneSearchOptions : IValidatableObject
{
    /// <summary>
    /// Folder of the index (required). It holds one sub-folder per index generation and a <c>current</c> pointer
    /// file naming the live one; rebuilds are written into a new generation beside it.
    /// </summary>
    public string IndexPath { get; set; } = "";

    /// <summary>Memory the writer buffers before flushing a segment, in MiB (1–2048; default 64).</summary>
    public double RamBufferSizeMb { get; set; } = 64;

    /// <summary>
    /// How often the searcher is reopened in the background so that writes become visible to
    /// <see cref="SearchConsistency.Eventual"/> searches (default 1 s). Searches with
    /// <see cref="SearchConsistency.ReadYourWrites"/> and <see cref="ISearchIndex.RefreshAsync"/> do not wait for it.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long the point-in-time view behind a <see cref="SearchResults.NextCursor"/> is kept (default 5 min). While
    /// it is kept, later pages see exactly the index the first page saw; after it, paging continues on the current
    /// index (still in order, by the sort values and id of the last hit).
    /// </summary>
    public TimeSpan CursorLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Longest accepted query text, in characters (default 4096).</summary>
    public int MaxQueryLength { get; set; } = 4096;

    /// <summary>Characters of a highlighted text fragment (default 160).</summary>
    public int HighlightFragmentSize { get; set; } = 160;

    /// <summary>Most text fragments returned per hit (default 3).</summary>
    public int MaxHighlightFragments { get; set; } = 3;

    /// <summary>Characters of a text analysed for highlighting (default 500 000); matches further in are not highlighted.</summary>
    public int MaxHighlightAnalyzedChars { get; set; } = 500_000;

    /// <summary>
    /// Matches counted exactly before a free-text search may stop counting (default 10 000, like Elasticsearch's
    /// <c>track_total_hits</c>). Beyond it, a query of free words sorted by relevance without facets skips documents that
    /// cannot reach the page, and <see cref="SearchResults.Total"/> is a lower bound with
    /// <see cref="SearchResults.TotalIsExact"/> false. <see cref="int.MaxValue"/> always counts exactly (and scores every match).
    /// </summary>
    public int ExactTotalHitsThreshold { get; set; } = 10_000;

    /// <summary>Ranking parameters (defaults were tuned on ALQAC 2022, see docs/benchmarks.md).</summary>
    public LuceneRankingOptions Ranking { get; set; } = new();

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var errors = new List<string>();
        var options = this;
        if (string.IsNullOrWhiteSpace(options.IndexPath))
        {
            errors.Add("LuceneSearchOptions.IndexPath is required (the folder of the search index).");
        }
        else if (options.IndexPath.AsSpan().IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            errors.Add("LuceneSearchOptions.IndexPath contains characters that are not valid in a path.");
        }

        if (!(options.RamBufferSizeMb >= 1 && options.RamBufferSizeMb <= 2048))
        {
            errors.Add("LuceneSearchOptions.RamBufferSizeMb must be between 1 and 2048.");
        }

        if (options.RefreshInterval < TimeSpan.FromMilliseconds(10) || options.RefreshInterval > TimeSpan.FromHours(1))
        {
            errors.Add("LuceneSearchOptions.RefreshInterval must be between 10 ms and 1 hour.");
        }

        if (options.CursorLifetime < TimeSpan.FromSeconds(1) || options.CursorLifetime > TimeSpan.FromDays(1))
        {
            errors.Add("LuceneSearchOptions.CursorLifetime must be between 1 second and 1 day.");
        }

        if (options.ExactTotalHitsThreshold < 0)
        {
            errors.Add("LuceneSearchOptions.ExactTotalHitsThreshold must be 0 or more.");
        }

        if (options.MaxQueryLength is < 16 or > 1_000_000)
        {
            errors.Add("LuceneSearchOptions.MaxQueryLength must be between 16 and 1000000.");
        }

        if (options.HighlightFragmentSize is < 20 or > 10_000)
        {
            errors.Add("LuceneSearchOptions.HighlightFragmentSize must be between 20 and 10000.");
        }

        if (options.MaxHighlightFragments is < 1 or > 100)
        {
            errors.Add("LuceneSearchOptions.MaxHighlightFragments must be between 1 and 100.");
        }

        if (options.MaxHighlightAnalyzedChars < 1000)
        {
            errors.Add("LuceneSearchOptions.MaxHighlightAnalyzedChars must be at least 1000.");
        }

        var r = options.Ranking;
        if (r is null)
        {
            errors.Add("LuceneSearchOptions.Ranking is required.");
        }
        else
        {
            if (!(r.K1 >= 0 && r.K1 <= 10))
            {
                errors.Add("LuceneSearchOptions.Ranking.K1 must be between 0 and 10.");
            }

            if (!(r.B >= 0 && r.B <= 1))
            {
                errors.Add("LuceneSearchOptions.Ranking.B must be between 0 and 1.");
            }

            if (!(r.CommonTermRatio > 0 && r.CommonTermRatio <= 1))
            {
                errors.Add("LuceneSearchOptions.Ranking.CommonTermRatio must be greater than 0 and at most 1.");
            }

            foreach (var (label, value) in new[] { ("TitleBoost", r.TitleBoost), ("SubjectBoost", r.SubjectBoost), ("MetaBoost", r.MetaBoost), ("TextBoost", r.TextBoost), ("AccentedBoost", r.AccentedBoost), ("BigramBoost", r.BigramBoost) })
            {
                if (!(value >= 0 && value <= 100))
                {
                    errors.Add($"LuceneSearchOptions.Ranking.{label} must be between 0 and 100.");
                }
            }
        }

        return errors.Select(e => new ValidationResult(e));
    }
}

/// <summary>How free-text queries are scored (BM25 over several fields).</summary>
public sealed class LuceneRankingOptions
{
    /// <summary>BM25 term-frequency saturation k1 (default 1.2).</summary>
    public float K1 { get; set; } = 1.2f;

    /// <summary>BM25 length normalisation b (default 0.75).</summary>
    public float B { get; set; } = 0.75f;

    /// <summary>
    /// Weight of the title (default 1.1). Title and subject are separate BM25 fields, so a word found there already adds to
    /// its body-text score; higher weights cost retrieval quality on ALQAC (see docs/benchmarks.md).
    /// </summary>
    public float TitleBoost { get; set; } = 1.1f;

    /// <summary>Weight of the subject (trích yếu; default 1.1).</summary>
    public float SubjectBoost { get; set; } = 1.1f;

    /// <summary>Weight of keywords, issuing body, type and codes.</summary>
    public float MetaBoost { get; set; } = 1f;

    /// <summary>Weight of the full text.</summary>
    public float TextBoost { get; set; } = 1f;

    /// <summary>
    /// Weight of a match with the exact diacritics the query was typed with, added to the diacritics-insensitive
    /// match (so exact-accent matches rank first; default 0.1). Not used for a query typed without any diacritics.
    /// </summary>
    public float AccentedBoost { get; set; } = 0.1f;

    /// <summary>
    /// Weight of adjacent-syllable (bigram) matches (default 2): most Vietnamese words have two syllables, so a
    /// question's bigrams find its words. 0 turns them off at query time.
    /// </summary>
    public float BigramBoost { get; set; } = 2f;

    /// <summary>
    /// Free-text terms found in more than this fraction of the documents (function syllables such as <c>của</c>,
    /// <c>các</c>, <c>được</c>) only add to the score of documents that also match a rarer query term, so a long
    /// question does not score the whole index (like Lucene's common-terms query). 1 turns it off. Not applied to
    /// queries with a quoted phrase. Default 0.5.
    /// </summary>
    public float CommonTermRatio { get; set; } = 0.5f;

    /// <summary>Whether syllable bigrams are indexed (needed for <see cref="BigramBoost"/>; costs index size).</summary>
    public bool IndexBigrams { get; set; } = true;
}

/// <summary>
/// Validates <see cref="LuceneSearchOptions"/> at start-up (source-generated: the rules are
/// <see cref="LuceneSearchOptions.Validate(ValidationContext)"/>); every message names the option and its rule.
/// </summary>
[OptionsValidator]
public sealed partial class LuceneSearchOptionsValidator : IValidateOptions<LuceneSearchOptions>
{
}

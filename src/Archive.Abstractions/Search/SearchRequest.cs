namespace Archive.Search;

/// <summary>A query.</summary>
public sealed record SearchRequest
{
    /// <summary>Largest page size an engine must serve.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>
    /// Free text. Words match with or without diacritics (exact-accent matches rank higher); text in double quotes
    /// is a phrase; <c>-word</c> excludes. Empty or null matches every document that passes the filters.
    /// </summary>
    public string? Query { get; init; }

    /// <summary>Filters, all of which must hold.</summary>
    public IReadOnlyList<SearchFilter> Filters { get; init; } = [];

    /// <summary>Fields to count values of (see <see cref="SearchFields.Filterable"/>), computed over all matches.</summary>
    public IReadOnlyList<string> Facets { get; init; } = [];

    /// <summary>Most values returned per facet.</summary>
    public int FacetSize { get; init; } = 20;

    /// <summary>Whether to return highlighted snippets.</summary>
    public bool Highlight { get; init; }

    /// <summary>Ordering of hits.</summary>
    public SearchSort Sort { get; init; } = SearchSort.Relevance;

    /// <summary>Hits per page (1..<see cref="MaxPageSize"/>).</summary>
    public int PageSize { get; init; } = 20;

    /// <summary>Opaque cursor from <see cref="SearchResults.NextCursor"/>; null for the first page.</summary>
    public string? Cursor { get; init; }

    /// <summary>Whether earlier acknowledged writes must be visible to this search.</summary>
    public SearchConsistency Consistency { get; init; } = SearchConsistency.Eventual;
}

/// <summary>Hit order. Ties are always broken by id, so cursors are stable.</summary>
public enum SearchSort
{
    /// <summary>Best match first.</summary>
    Relevance = 0,

    /// <summary>Newest <see cref="SearchDocument.Date"/> first (undated last).</summary>
    DateDescending = 1,

    /// <summary>Oldest first (undated last).</summary>
    DateAscending = 2,
}

/// <summary>Visibility of recent writes.</summary>
public enum SearchConsistency
{
    /// <summary>Recent writes may not be visible yet (fastest).</summary>
    Eventual = 0,

    /// <summary>Every write acknowledged before this search started is visible.</summary>
    ReadYourWrites = 1,
}

/// <summary>A filter.</summary>
public abstract record SearchFilter;

/// <summary>The field has one of <paramref name="Values"/> (or, when <paramref name="Exclude"/>, none of them).</summary>
/// <param name="Field">A filterable field (<see cref="SearchFields.Filterable"/> or <c>tag.NAME</c>).</param>
/// <param name="Values">Accepted values (exact match).</param>
/// <param name="Exclude">Reject documents with any of the values instead.</param>
public sealed record TermsFilter(string Field, IReadOnlyList<string> Values, bool Exclude = false) : SearchFilter;

/// <summary><see cref="SearchDocument.Date"/> within [<paramref name="From"/>, <paramref name="To"/>] (inclusive; open where null).</summary>
public sealed record DateRangeFilter(DateOnly? From, DateOnly? To) : SearchFilter;

/// <summary>Year of <see cref="SearchDocument.Date"/> within [<paramref name="From"/>, <paramref name="To"/>] (inclusive; open where null).</summary>
public sealed record YearRangeFilter(int? From, int? To) : SearchFilter;

/// <summary>Results of one page.</summary>
public sealed record SearchResults
{
    /// <summary>
    /// Number of documents matching query and filters: exact when <see cref="TotalIsExact"/>, otherwise a lower bound
    /// (an engine may stop counting once it knows the best hits, like Elasticsearch's <c>track_total_hits</c>).
    /// Never less than the number of hits on this page.
    /// </summary>
    public required long Total { get; init; }

    /// <summary>
    /// Whether <see cref="Total"/> is exact (true) or a lower bound (false, "at least"). Engines count exactly at least up
    /// to a threshold (10 000 by default) and whenever facets are requested.
    /// </summary>
    public bool TotalIsExact { get; init; } = true;

    /// <summary>This page's hits.</summary>
    public required IReadOnlyList<SearchHit> Hits { get; init; }

    /// <summary>Facet counts per requested field, most frequent first.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<FacetValue>> Facets { get; init; } = new Dictionary<string, IReadOnlyList<FacetValue>>();

    /// <summary>Cursor of the next page; null when this is the last page.</summary>
    public string? NextCursor { get; init; }
}

/// <summary>One hit.</summary>
public sealed record SearchHit
{
    /// <summary>The document.</summary>
    public required SearchDocument Document { get; init; }

    /// <summary>Relevance score (engine-specific scale; 0 when sorting by date).</summary>
    public double Score { get; init; }

    /// <summary>Highlighted snippets, matched terms wrapped in <c>&lt;em&gt;</c> (the rest HTML-encoded).</summary>
    public IReadOnlyList<Highlight> Highlights { get; init; } = [];
}

/// <summary>A highlighted snippet.</summary>
/// <param name="Field"><see cref="SearchFields.Title"/>, <see cref="SearchFields.Subject"/> or <see cref="SearchFields.Text"/>.</param>
/// <param name="Fragment">HTML-safe text with matches in <c>&lt;em&gt;</c>.</param>
/// <param name="Page">1-based page number when the text came from <see cref="SearchDocument.Pages"/>.</param>
public sealed record Highlight(string Field, string Fragment, int? Page = null)
{
    /// <summary>The page's label when it is a sheet or a section rather than a numbered page (<see cref="SearchDocument.PageLabels"/>), e.g. the sheet name.</summary>
    public string? Label { get; init; }
}

/// <summary>A facet value and the number of matching documents that have it.</summary>
public sealed record FacetValue(string Value, long Count);

using Archive.Search;

namespace Archive.Indexing;

/// <summary>
/// What a researcher (độc giả) may find: only accessioned record files and their documents, with access level
/// Public, never weeded-out material. The engine-level filter behind the API's researcher and anonymous reading-room
/// scoping: <see cref="Apply"/> adds it to any request (it only narrows: callers' own filters still hold).
/// </summary>
/// <remarks>
/// It relies on fields every index already holds (<see cref="SearchProjection"/>): <c>status</c> =
/// <c>accessioned</c> once <c>RecordFile.AccessionedAt</c> is set, <c>access</c> = the record file's level, and
/// <c>tag.nonArchival</c>. No reindex is needed.
/// </remarks>
public static class ResearcherScope
{
    /// <summary>The filters: status accessioned, access Public, not non-archival.</summary>
    public static IReadOnlyList<SearchFilter> Filters { get; } =
    [
        new TermsFilter(SearchFields.Status, ["accessioned"]),
        new TermsFilter(SearchFields.AccessLevel, [nameof(AccessLevel.Public)]),
        new TermsFilter(SearchFields.TagPrefix + SearchProjection.TagNonArchival, ["true"], Exclude: true),
    ];

    /// <summary>The request narrowed to what a researcher may see.</summary>
    public static SearchRequest Apply(SearchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request with { Filters = [.. request.Filters, .. Filters] };
    }

    /// <summary>Whether a researcher may see a record file (direct reads: 404 otherwise).</summary>
    public static bool CanSee(Records.RecordFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return file.AccessionedAt is not null && file.Rights == AccessLevel.Public && file.NonArchival is null;
    }
}

using Archive.Audit;
using Archive.Indexing;
using Archive.Records;
using Archive.Search;
using Archive.Security;

namespace Archive.Access;

/// <summary>A conditional record file as the catalogue describes it to a researcher without a grant: no text, no content.</summary>
public sealed record ConditionalCatalogueEntry
{
    /// <summary>Mã hồ sơ.</summary>
    public required string FileCode { get; init; }

    /// <summary>Tiêu đề hồ sơ.</summary>
    public required string Title { get; init; }

    /// <summary>The fonds.</summary>
    public string? FondsCode { get; init; }

    /// <summary>Thời gian bắt đầu.</summary>
    public DateOnly? StartDate { get; init; }

    /// <summary>The caller's own request for it, when it has one (researchers only).</summary>
    public AccessRequest? MyRequest { get; init; }
}

/// <summary>A page of <see cref="AccessRequestService.SearchCatalogueAsync"/>.</summary>
public sealed record ConditionalCatalogueResults
{
    /// <summary>Matching conditional record files (exact when <see cref="SearchResults.TotalIsExact"/> would be).</summary>
    public long Total { get; init; }

    /// <summary>This page.</summary>
    public required IReadOnlyList<ConditionalCatalogueEntry> Items { get; init; }

    /// <summary>Cursor of the next page, or null.</summary>
    public string? NextCursor { get; init; }
}

public sealed partial class AccessRequestService
{
    /// <summary>
    /// The catalogue of conditional record files (sử dụng có điều kiện) a researcher may ask for: accessioned, not
    /// weeded out, access <see cref="AccessLevel.Conditional"/>. Their existence and catalogue description are not
    /// secret, so the query matches the record file's own catalogue entry (title, code, description, keywords) — never
    /// its documents or their text — and an entry carries the title, code, fonds and start date only: no snippet, no
    /// highlight, no content. Secret record files never match. With a researcher, each entry carries its own request.
    /// Audited as a search.
    /// </summary>
    /// <exception cref="InvalidOperationException">The service was created without a search index.</exception>
    public async ValueTask<ConditionalCatalogueResults> SearchCatalogueAsync(string? query, int pageSize, string? cursor, ArchiveCaller caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var index = _search ?? throw new InvalidOperationException("AccessRequestService was created without a search index.");
        if (pageSize is < 1 or > SearchRequest.MaxPageSize)
        {
            throw new ArchiveValidationException("pageSize", "page-size.range", $"pageSize must be between 1 and {SearchRequest.MaxPageSize}.");
        }

        var request = new SearchRequest
        {
            Query = query,
            Filters =
            [
                new TermsFilter(SearchFields.Kind, [nameof(SearchDocumentKind.RecordFile)]),
                new TermsFilter(SearchFields.Status, ["accessioned"]),
                new TermsFilter(SearchFields.AccessLevel, [nameof(AccessLevel.Conditional)]),
                new TermsFilter(SearchFields.TagPrefix + SearchProjection.TagNonArchival, ["true"], Exclude: true),
            ],
            Highlight = false,
            PageSize = pageSize,
            Cursor = string.IsNullOrEmpty(cursor) ? null : cursor,
        };
        if (_audit is not null)
        {
            var text = "conditional catalogue: q=" + query;
            await _audit.AppendAsync(caller.ToAuditEvent(AuditActions.Search) with { ObjectType = "search", ObjectId = "-", Detail = text.Length <= 300 ? text : text[..300] }, cancellationToken).ConfigureAwait(false);
        }

        var results = await index.SearchAsync(request, cancellationToken).ConfigureAwait(false);
        var researcher = caller.IsAuthenticated && caller.IsInRole(ArchiveRoles.Researcher);
        var items = new List<ConditionalCatalogueEntry>(results.Hits.Count);
        foreach (var hit in results.Hits)
        {
            var d = hit.Document;

            // Belt and braces: the filters already hold these; nothing else may leave (no text, no highlights).
            if (d.Kind != SearchDocumentKind.RecordFile || d.AccessLevel != AccessLevel.Conditional || d.FileCode is null)
            {
                continue;
            }

            AccessRequest? mine = null;
            if (researcher)
            {
                mine = (await _store.GetAsync(IdOf(caller.PrincipalId, d.FileCode), null, cancellationToken).ConfigureAwait(false))?.Value;
            }

            items.Add(new ConditionalCatalogueEntry { FileCode = d.FileCode, Title = d.Title ?? d.FileCode, FondsCode = d.FondsId, StartDate = d.Date, MyRequest = mine });
        }

        return new ConditionalCatalogueResults { Total = results.Total, Items = items, NextCursor = results.NextCursor };
    }
}

using Archive.Api.Contracts;
using Archive.Api.Http;
using Archive.Api.Mapping;
using Archive.Api.Security;
using Archive.Search;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Archive.Api.Endpoints;

/// <summary>Full-text search over record files and documents (with or without Vietnamese diacritics).</summary>
internal static class SearchEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/search", Search).WithTags("Search").WithName("Search").RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("Search record files and documents (tìm kiếm; with or without diacritics)")
            .WithDescription("q: free text (words match with or without diacritics; \"quoted phrase\"; -word excludes). "
                + "filter / exclude: field:value, repeatable (values of one field are OR-ed), fields: kind, parentId, agency, fonds, fileCode, "
                + "codeNumber, type, issuingBody, retention, access, status, year, keyword, tag.NAME. facet: field, repeatable. "
                + "dateFrom/dateTo (yyyy-MM-dd), yearFrom/yearTo. sort: relevance, dateDesc, dateAsc. cursor: from nextCursor. "
                + "consistent=true makes every acknowledged write visible first.");
    }

    private static async Task<Ok<SearchResultsDto>> Search(
        HttpContext http,
        ISearchIndex index,
        ArchiveApiMapper mapper,
        [FromQuery] string? q,
        [FromQuery] string[]? filter,
        [FromQuery] string[]? exclude,
        [FromQuery] string[]? facet,
        [FromQuery] int? facetSize,
        [FromQuery] DateOnly? dateFrom,
        [FromQuery] DateOnly? dateTo,
        [FromQuery] int? yearFrom,
        [FromQuery] int? yearTo,
        [FromQuery] bool? highlight,
        [FromQuery] string? sort,
        [FromQuery] int? pageSize,
        [FromQuery] string? cursor,
        [FromQuery] bool? consistent,
        CancellationToken cancellationToken)
    {
        var filters = new List<SearchFilter>();
        filters.AddRange(Terms(filter, "filter", exclude: false));
        filters.AddRange(Terms(exclude, "exclude", exclude: true));

        // The caller's scope as filters: what it may not see is neither shown nor counted (hits, totals, facets,
        // highlights): secret without clearance, fonds in another agency's custody, non-accessioned for researchers.
        filters.AddRange(await ArchiveScope.SearchFiltersAsync(http, cancellationToken).ConfigureAwait(false));

        if (dateFrom is not null || dateTo is not null)
        {
            filters.Add(new DateRangeFilter(dateFrom, dateTo));
        }

        if (yearFrom is not null || yearTo is not null)
        {
            filters.Add(new YearRangeFilter(yearFrom, yearTo));
        }

        var facets = (facet ?? []).Where(f => !string.IsNullOrWhiteSpace(f)).Select(f => f.Trim()).Distinct(StringComparer.Ordinal).ToList();
        foreach (var f in facets.Where(f => !SearchFields.IsFilterable(f)))
        {
            throw ApiRequestException.BadRequest("facet", "search.facet-field", $"'{f}' cannot be faceted; use one of {string.Join(", ", SearchFields.Filterable)} or tag.NAME.");
        }

        var size = pageSize ?? 20;
        if (size is < 1 or > SearchRequest.MaxPageSize)
        {
            throw ApiRequestException.BadRequest("pageSize", "page-size.range", $"pageSize must be between 1 and {SearchRequest.MaxPageSize}.");
        }

        var request = new SearchRequest
        {
            Query = q,
            Filters = filters,
            Facets = facets,
            FacetSize = facetSize ?? 20,
            Highlight = highlight ?? false,
            Sort = sort?.ToLowerInvariant() switch
            {
                null or "" or "relevance" => SearchSort.Relevance,
                "datedesc" or "date-desc" or "newest" => SearchSort.DateDescending,
                "dateasc" or "date-asc" or "oldest" => SearchSort.DateAscending,
                _ => throw ApiRequestException.BadRequest("sort", "search.sort", "sort is relevance, dateDesc or dateAsc."),
            },
            PageSize = size,
            Cursor = string.IsNullOrEmpty(cursor) ? null : cursor,
            Consistency = consistent == true ? SearchConsistency.ReadYourWrites : SearchConsistency.Eventual,
        };
        await ArchiveScope.AuditReadAsync(http, Archive.Audit.AuditActions.Search, "search", "-", Describe(q, filter, exclude), cancellationToken).ConfigureAwait(false);
        var results = await index.SearchAsync(request, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(mapper.Map<SearchResultsDto>(results));
    }

    private static string Describe(string? q, string[]? filter, string[]? exclude)
    {
        var text = $"q={q}; filter={string.Join(',', filter ?? [])}; exclude={string.Join(',', exclude ?? [])}";
        return text.Length <= 300 ? text : text[..300];
    }

    private static IEnumerable<TermsFilter> Terms(string[]? values, string parameter, bool exclude)
    {
        if (values is null)
        {
            return [];
        }

        var byField = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var raw in values)
        {
            var colon = raw?.IndexOf(':', StringComparison.Ordinal) ?? -1;
            if (raw is null || colon <= 0 || colon == raw.Length - 1)
            {
                throw ApiRequestException.BadRequest(parameter, "search.filter-format", $"{parameter} is field:value, e.g. agency:000.00.00.G09 (got '{raw}').");
            }

            var field = raw[..colon].Trim();
            if (!SearchFields.IsFilterable(field))
            {
                throw ApiRequestException.BadRequest(parameter, "search.filter-field", $"'{field}' cannot be filtered; use one of {string.Join(", ", SearchFields.Filterable)} or tag.NAME.");
            }

            if (!byField.TryGetValue(field, out var list))
            {
                byField[field] = list = [];
            }

            list.Add(raw[(colon + 1)..]);
        }

        return byField.Select(kv => new TermsFilter(kv.Key, kv.Value, exclude));
    }
}

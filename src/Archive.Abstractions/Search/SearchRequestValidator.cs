namespace Archive.Search;

/// <summary>
/// The engine-independent checks of a <see cref="SearchRequest"/>, with the rule ids every engine reports
/// (<c>search.page-size.range</c>, <c>search.query.too-long</c>, <c>search.sort.unknown</c>,
/// <c>search.consistency.unknown</c>, <c>search.facet.field-unknown</c>, <c>search.facet-size.range</c>). Filters and
/// cursors are checked by each engine, which turns them into its own query terms.
/// </summary>
public static class SearchRequestValidator
{
    /// <summary>
    /// Adds one <see cref="ValidationError"/> per broken rule of <paramref name="request"/> to <paramref name="errors"/>
    /// (it does not throw, so that the caller can report every error of the request at once).
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="maxQueryLength">Longest accepted <see cref="SearchRequest.Query"/>, in characters (the engine's setting).</param>
    /// <param name="errors">Where errors are added.</param>
    public static void CheckRequest(SearchRequest request, int maxQueryLength, ICollection<ValidationError> errors)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(errors);
        if (request.PageSize is < 1 or > SearchRequest.MaxPageSize)
        {
            errors.Add(new("pageSize", "search.page-size.range", $"pageSize must be between 1 and {SearchRequest.MaxPageSize}; it was {request.PageSize}."));
        }

        if (request.Query is { } q && q.Length > maxQueryLength)
        {
            errors.Add(new("query", "search.query.too-long", $"The query has {q.Length} characters; at most {maxQueryLength} are accepted."));
        }

        if (!Enum.IsDefined(request.Sort))
        {
            errors.Add(new("sort", "search.sort.unknown", $"Unknown sort order {(int)request.Sort}."));
        }

        if (!Enum.IsDefined(request.Consistency))
        {
            errors.Add(new("consistency", "search.consistency.unknown", $"Unknown consistency {(int)request.Consistency}."));
        }

        var facets = request.Facets ?? [];
        for (var i = 0; i < facets.Count; i++)
        {
            if (!SearchFields.IsFilterable(facets[i]))
            {
                errors.Add(new($"facets[{i}]", "search.facet.field-unknown", $"'{facets[i]}' cannot be faceted; use one of {string.Join(", ", SearchFields.Filterable)} or tag.NAME."));
            }
        }

        if (facets.Count > 0 && request.FacetSize is < 1 or > SearchRequest.MaxPageSize)
        {
            errors.Add(new("facetSize", "search.facet-size.range", $"facetSize must be between 1 and {SearchRequest.MaxPageSize}; it was {request.FacetSize}."));
        }
    }
}

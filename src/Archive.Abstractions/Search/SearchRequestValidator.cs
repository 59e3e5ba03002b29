using System.Globalization;
using System.Text;

namespace Archive.Search;

/// <summary>
/// The engine-independent checks of a <see cref="SearchRequest"/>, with the rule ids every engine reports
/// (<c>search.page-size.range</c>, <c>search.query.too-long</c>, <c>search.sort.unknown</c>,
/// <c>search.consistency.unknown</c>, <c>search.facet.field-unknown</c>, <c>search.facet-size.range</c>, the
/// <c>search.filter.*</c> rules of <see cref="CheckFilters"/> and the <c>search.cursor.*</c> rules of
/// <see cref="SearchCursor.Check"/>). Each engine turns the checked filters into its own query terms.
/// </summary>
public static class SearchRequestValidator
{
    /// <summary>
    /// Checks the request (<see cref="CheckRequest"/>), its filters (<see cref="CheckFilters"/>) and its cursor
    /// (<see cref="SearchCursor.Check"/>), and throws one <see cref="ArchiveValidationException"/> listing every broken
    /// rule, in that order.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="maxQueryLength">Longest accepted <see cref="SearchRequest.Query"/>, in characters (the engine's setting).</param>
    /// <returns>The filters in index terms and the decoded cursor (null without one).</returns>
    /// <exception cref="ArchiveValidationException">A rule is broken.</exception>
    public static (IReadOnlyList<CheckedSearchFilter> Filters, SearchCursor? Cursor) Validate(SearchRequest request, int maxQueryLength)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new List<ValidationError>();
        CheckRequest(request, maxQueryLength, errors);
        var filters = CheckFilters(request.Filters, errors);
        var cursor = SearchCursor.Check(request, errors);
        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        return (filters, cursor);
    }

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

    /// <summary>
    /// Checks filters (known field, values present and valid for the field, ranges in order, years 1–9999) and returns
    /// them in index terms: canonical values (<see cref="CanonicalValue(string, string)"/>) and year ranges as date
    /// ranges. Adds one <see cref="ValidationError"/> per broken rule to <paramref name="errors"/>.
    /// </summary>
    public static IReadOnlyList<CheckedSearchFilter> CheckFilters(IReadOnlyList<SearchFilter>? filters, ICollection<ValidationError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        filters ??= [];
        var result = new List<CheckedSearchFilter>();
        for (var i = 0; i < filters.Count; i++)
        {
            var at = $"filters[{i}]";
            switch (filters[i])
            {
                case null:
                    errors.Add(new(at, "search.filter.null", "A filter is null."));
                    break;
                case TermsFilter t:
                    if (!SearchFields.IsFilterable(t.Field))
                    {
                        errors.Add(new(at + ".field", "search.filter.field-unknown", $"'{t.Field}' cannot be filtered; use one of {string.Join(", ", SearchFields.Filterable)} or tag.NAME."));
                        break;
                    }

                    if (t.Values is null)
                    {
                        errors.Add(new(at + ".values", "search.filter.values-required", "values is required (an empty list matches nothing, or everything when excluding)."));
                        break;
                    }

                    var values = new List<string>();
                    for (var v = 0; v < t.Values.Count; v++)
                    {
                        var value = CanonicalValue(t.Field, t.Values[v]);
                        if (value is null)
                        {
                            errors.Add(new($"{at}.values[{v}]", "search.filter.value-invalid", $"'{t.Values[v]}' is not a value of '{t.Field}'{AllowedValues(t.Field)}."));
                        }
                        else
                        {
                            values.Add(value);
                        }
                    }

                    result.Add(new CheckedTermsFilter(t.Field, values, t.Exclude));
                    break;
                case DateRangeFilter d:
                    if (d.From is { } df && d.To is { } dt && df > dt)
                    {
                        errors.Add(new(at, "search.filter.range-inverted", $"from ({df:yyyy-MM-dd}) is after to ({dt:yyyy-MM-dd})."));
                        break;
                    }

                    result.Add(new CheckedDateRange(d.From, d.To));
                    break;
                case YearRangeFilter y:
                    if (y.From is < 1 or > 9999)
                    {
                        errors.Add(new(at + ".from", "search.filter.year-range", "from must be a year between 1 and 9999."));
                        break;
                    }

                    if (y.To is < 1 or > 9999)
                    {
                        errors.Add(new(at + ".to", "search.filter.year-range", "to must be a year between 1 and 9999."));
                        break;
                    }

                    if (y.From is { } yf && y.To is { } yt && yf > yt)
                    {
                        errors.Add(new(at, "search.filter.range-inverted", $"from ({yf}) is after to ({yt})."));
                        break;
                    }

                    result.Add(new CheckedDateRange(y.From is { } f ? new DateOnly(f, 1, 1) : null, y.To is { } to ? new DateOnly(to, 12, 31) : null));
                    break;
                default:
                    errors.Add(new(at, "search.filter.unsupported", $"Filter type {filters[i].GetType().Name} is not supported by this engine."));
                    break;
            }
        }

        return result;
    }

    /// <summary>
    /// The indexed form of a filter value of <paramref name="field"/> (access level and kind: the enum name; year: the
    /// number; anything else: <see cref="CanonicalValue(string)"/>), or <see langword="null"/> when the value cannot
    /// exist for this field.
    /// </summary>
    public static string? CanonicalValue(string field, string? value)
    {
        if (value is null)
        {
            return null;
        }

        return field switch
        {
            SearchFields.AccessLevel => Enum.GetNames<AccessLevel>().FirstOrDefault(n => string.Equals(n, value.Trim(), StringComparison.OrdinalIgnoreCase)),
            SearchFields.Kind => Enum.GetNames<SearchDocumentKind>().FirstOrDefault(n => string.Equals(n, value.Trim(), StringComparison.OrdinalIgnoreCase)),
            // Indexed lower-case; the record file's spelling (Finished, Unfinished, Accessioned) is read too.
            SearchFields.Status => value.Trim().ToLowerInvariant() is ("finished" or "unfinished" or "accessioned") and var status ? status : CanonicalValue(value),
            SearchFields.Year => int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var year) && year is >= 1 and <= 9999
                ? year.ToString(CultureInfo.InvariantCulture)
                : null,
            _ => CanonicalValue(value),
        };
    }

    /// <summary>The indexed form of an exact-match value: trimmed and NFC-normalised (what filters compare).</summary>
    public static string CanonicalValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var t = value.Trim();
        return t.IsNormalized(NormalizationForm.FormC) ? t : t.Normalize(NormalizationForm.FormC);
    }

    private static string AllowedValues(string field) => field switch
    {
        SearchFields.AccessLevel => " (use " + string.Join(", ", Enum.GetNames<AccessLevel>()) + ")",
        SearchFields.Kind => " (use " + string.Join(", ", Enum.GetNames<SearchDocumentKind>()) + ")",
        SearchFields.Year => " (use a year such as 2024)",
        _ => "",
    };
}

/// <summary>A filter checked by <see cref="SearchRequestValidator.CheckFilters"/>, in index terms.</summary>
public abstract record CheckedSearchFilter;

/// <summary>Exact-match terms: the field as requested (a <see cref="SearchFields"/> name or <c>tag.NAME</c>) and its canonical values.</summary>
/// <param name="Field">The field as requested.</param>
/// <param name="Values">Canonical values (<see cref="SearchRequestValidator.CanonicalValue(string, string)"/>); empty matches nothing (or everything when excluding).</param>
/// <param name="Exclude">Whether matching documents are excluded.</param>
public sealed record CheckedTermsFilter(string Field, IReadOnlyList<string> Values, bool Exclude) : CheckedSearchFilter;

/// <summary>An inclusive date range (a year range becomes 1 January to 31 December).</summary>
/// <param name="From">First day, or unbounded.</param>
/// <param name="To">Last day, or unbounded.</param>
public sealed record CheckedDateRange(DateOnly? From, DateOnly? To) : CheckedSearchFilter;

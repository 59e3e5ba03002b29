using System.Globalization;
using Lucene.Net.Index;
using Lucene.Net.Search;

namespace Archive.Search.Lucene.Internal;

/// <summary>Checks a request (every broken rule is reported) and turns its filters into a Lucene filter query.</summary>
internal static class RequestValidator
{
    public static (Query? Filter, Cursor? Cursor) Validate(SearchRequest request, LuceneSearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new List<ValidationError>();
        SearchRequestValidator.CheckRequest(request, options.MaxQueryLength, errors);

        var filter = BuildFilter(request.Filters ?? [], errors);

        Cursor? cursor = null;
        if (request.Cursor is not null)
        {
            cursor = Cursor.TryDecode(request.Cursor);
            if (cursor is null)
            {
                errors.Add(new("cursor", "search.cursor.malformed", "The cursor is not one this index issued; pass NextCursor of the previous page unchanged."));
            }
            else if (cursor.Sort != request.Sort || cursor.RequestHash != Cursor.HashOf(request))
            {
                errors.Add(new("cursor", "search.cursor.mismatch", "The cursor belongs to a search with another query, filters or sort."));
                cursor = null;
            }
        }

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        return (filter, cursor);
    }

    private static Query? BuildFilter(IReadOnlyList<SearchFilter> filters, List<ValidationError> errors)
    {
        if (filters.Count == 0)
        {
            return null;
        }

        var all = new BooleanQuery(disableCoord: true);
        var hasPositive = false;
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

                    var field = Fields.Exact(CanonicalField(t.Field));
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

                    if (t.Exclude)
                    {
                        foreach (var v in values)
                        {
                            all.Add(new TermQuery(new Term(field, v)), Occur.MUST_NOT);
                        }
                    }
                    else
                    {
                        var any = new BooleanQuery(disableCoord: true);
                        foreach (var v in values)
                        {
                            any.Add(new TermQuery(new Term(field, v)), Occur.SHOULD);
                        }

                        all.Add(any, Occur.MUST); // an empty list matches nothing
                        hasPositive = true;
                    }

                    break;
                case DateRangeFilter d:
                    if (d.From is { } df && d.To is { } dt && df > dt)
                    {
                        errors.Add(new(at, "search.filter.range-inverted", $"from ({df:yyyy-MM-dd}) is after to ({dt:yyyy-MM-dd})."));
                        break;
                    }

                    all.Add(NumericRangeQuery.NewInt64Range(Fields.Date, d.From?.DayNumber, d.To?.DayNumber, true, true), Occur.MUST);
                    hasPositive = true;
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

                    long? from = y.From is { } f ? new DateOnly(f, 1, 1).DayNumber : null;
                    long? to = y.To is { } tt ? new DateOnly(tt, 12, 31).DayNumber : null;
                    all.Add(NumericRangeQuery.NewInt64Range(Fields.Date, from, to, true, true), Occur.MUST);
                    hasPositive = true;
                    break;
                default:
                    errors.Add(new(at, "search.filter.unsupported", $"Filter type {filters[i].GetType().Name} is not supported by this engine."));
                    break;
            }
        }

        if (!hasPositive)
        {
            all.Add(new MatchAllDocsQuery(), Occur.MUST);
        }

        return all;
    }

    private static string CanonicalField(string field)
        => field.StartsWith(SearchFields.TagPrefix, StringComparison.Ordinal)
            ? SearchFields.TagPrefix + DocumentMapper.Canonical(field[SearchFields.TagPrefix.Length..])
            : field;

    /// <summary>The indexed form of a filter value, or null when the value cannot exist for this field.</summary>
    private static string? CanonicalValue(string field, string? value)
    {
        if (value is null)
        {
            return null;
        }

        switch (field)
        {
            case SearchFields.AccessLevel:
                return Enum.GetNames<AccessLevel>().FirstOrDefault(n => string.Equals(n, value.Trim(), StringComparison.OrdinalIgnoreCase));
            case SearchFields.Kind:
                return Enum.GetNames<SearchDocumentKind>().FirstOrDefault(n => string.Equals(n, value.Trim(), StringComparison.OrdinalIgnoreCase));
            case SearchFields.Year:
                return int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var year) && year is >= 1 and <= 9999
                    ? year.ToString(CultureInfo.InvariantCulture)
                    : null;
            default:
                return DocumentMapper.Canonical(value);
        }
    }

    private static string AllowedValues(string field) => field switch
    {
        SearchFields.AccessLevel => " (use " + string.Join(", ", Enum.GetNames<AccessLevel>()) + ")",
        SearchFields.Kind => " (use " + string.Join(", ", Enum.GetNames<SearchDocumentKind>()) + ")",
        SearchFields.Year => " (use a year such as 2024)",
        _ => "",
    };
}

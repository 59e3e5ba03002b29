using Lucene.Net.Index;
using Lucene.Net.Search;

namespace Archive.Search.Lucene.Internal;

/// <summary>Checks a request with the shared rules (<see cref="SearchRequestValidator"/>) and turns its filters into a Lucene filter query.</summary>
internal static class RequestValidator
{
    public static (Query? Filter, SearchCursor? Cursor) Validate(SearchRequest request, LuceneSearchOptions options)
    {
        var (filters, cursor) = SearchRequestValidator.Validate(request, options.MaxQueryLength);
        return (BuildFilter(filters), cursor);
    }

    private static Query? BuildFilter(IReadOnlyList<CheckedSearchFilter> filters)
    {
        if (filters.Count == 0)
        {
            return null;
        }

        var all = new BooleanQuery(disableCoord: true);
        var hasPositive = false;
        foreach (var filter in filters)
        {
            switch (filter)
            {
                case CheckedTermsFilter t:
                    var field = Fields.Exact(CanonicalField(t.Field));
                    if (t.Exclude)
                    {
                        foreach (var v in t.Values)
                        {
                            all.Add(new TermQuery(new Term(field, v)), Occur.MUST_NOT);
                        }
                    }
                    else
                    {
                        var any = new BooleanQuery(disableCoord: true);
                        foreach (var v in t.Values)
                        {
                            any.Add(new TermQuery(new Term(field, v)), Occur.SHOULD);
                        }

                        all.Add(any, Occur.MUST); // an empty list matches nothing
                        hasPositive = true;
                    }

                    break;
                case CheckedDateRange d:
                    all.Add(NumericRangeQuery.NewInt64Range(Fields.Date, d.From?.DayNumber, d.To?.DayNumber, true, true), Occur.MUST);
                    hasPositive = true;
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
}

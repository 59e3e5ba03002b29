using System.Globalization;
using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.Aggregations;
using Elastic.Clients.Elasticsearch.Core.Search;
using Elastic.Clients.Elasticsearch.QueryDsl;
using EsHighlight = Elastic.Clients.Elasticsearch.Core.Search.Highlight;
using EsSearchRequest = Elastic.Clients.Elasticsearch.SearchRequest;

namespace Archive.Search.Elastic.Internal;

/// <summary>
/// Turns a <see cref="SearchRequest"/> into an Elasticsearch search with the scoring of the embedded engine:
/// BM25 OR of syllables over the text groups (title, subject, meta, body) on the folded fields, plus the accented
/// fields when the query has diacritics (exact-accent matches rank first) and folded syllable bigrams; quoted phrases
/// are required, <c>-word</c> excludes (accent-sensitively when typed with diacritics).
/// </summary>
internal sealed class QueryBuilder(ElasticsearchSearchOptions options)
{
    private readonly ElasticsearchRankingOptions _ranking = options.Ranking;

    public EsSearchRequest Build(SearchRequest request, string index, IReadOnlyList<CheckedSearchFilter> filters, SearchCursor? cursor)
    {
        var (core, positives) = TextQuery(request.Query);
        var filter = new List<Query>();
        var mustNot = new List<Query>();
        foreach (var f in filters)
        {
            switch (f)
            {
                case CheckedTermsFilter { Exclude: false } t:
                    filter.Add(new TermsQuery(Fields.Exact(t.Field), new TermsQueryField(t.Values.Select(FieldValue.String).ToList())));
                    break;
                case CheckedTermsFilter { Exclude: true } t when t.Values.Count > 0:
                    mustNot.Add(new TermsQuery(Fields.Exact(t.Field), new TermsQueryField(t.Values.Select(FieldValue.String).ToList())));
                    break;
                case CheckedDateRange d:
                    filter.Add(new DateRangeQuery(Fields.Date)
                    {
                        Gte = d.From is { } from ? DateMath.FromString(Day(from)) : null,
                        Lte = d.To is { } to ? DateMath.FromString(Day(to)) : null,
                        Format = "strict_date",
                    });
                    break;
            }
        }

        var highlight = request.Highlight && positives.Count > 0;
        var top = new BoolQuery { Must = [core] };
        if (filter.Count > 0)
        {
            top.Filter = filter;
        }

        if (mustNot.Count > 0)
        {
            top.MustNot = mustNot;
        }

        if (highlight)
        {
            // Page-numbered snippets: the best pages of each hit come back as inner hits with their offset. Boost 0:
            // the clause only selects pages, it never changes a hit's score or whether it matches.
            top.Should =
            [
                new NestedQuery(Fields.Pages, Positives(Fields.PageText, positives))
                {
                    ScoreMode = ChildScoreMode.Max,
                    Boost = 0,
                    InnerHits = new InnerHits
                    {
                        Name = Fields.PagesInnerHits,
                        Size = options.MaxHighlightFragments,
                        Source = false,
                        Highlight = new EsHighlight
                        {
                            Encoder = HighlighterEncoder.Html,
                            PreTags = ["<em>"],
                            PostTags = ["</em>"],
                            MaxAnalyzedOffset = options.MaxHighlightAnalyzedChars,
                            Fields = [new(Fields.PageText, new HighlightField { FragmentSize = options.HighlightFragmentSize, NumberOfFragments = options.MaxHighlightFragments })],
                        },
                    },
                },
            ];
        }

        var search = new EsSearchRequest(index)
        {
            Query = top,
            Size = request.PageSize + 1, // one more than asked: tells whether there is a next page
            TrackTotalHits = new TrackHits(true),
            Sort = Sort(request.Sort),
            Preference = SearchCursor.HashOf(request).ToString("x16", CultureInfo.InvariantCulture), // same shard copies for every page
            AllowPartialSearchResults = false,
        };

        if (cursor is not null)
        {
            search.SearchAfter =
            [
                cursor.Sort == SearchSort.Relevance ? FieldValue.Double(cursor.Score) : FieldValue.Long(cursor.Date),
                FieldValue.String(cursor.Id),
            ];
        }

        var facets = (request.Facets ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (facets.Count > 0)
        {
            var aggregations = new Dictionary<string, Aggregation>(StringComparer.Ordinal);
            for (var i = 0; i < facets.Count; i++)
            {
                aggregations[FacetName(i)] = new TermsAggregation
                {
                    Field = Fields.Exact(facets[i]),
                    Size = request.FacetSize,
                    Order = [new(new Field("_count"), SortOrder.Desc), new(new Field("_key"), SortOrder.Asc)],
                };
            }

            search.Aggregations = aggregations;
        }

        if (highlight)
        {
            search.Highlight = new EsHighlight
            {
                Encoder = HighlighterEncoder.Html,
                PreTags = ["<em>"],
                PostTags = ["</em>"],
                RequireFieldMatch = true,
                MaxAnalyzedOffset = options.MaxHighlightAnalyzedChars,
                Fields =
                [
                    new(Fields.Title.Folded, new HighlightField { NumberOfFragments = 0, HighlightQuery = Positives(Fields.Title.Folded, positives) }),
                    new(Fields.Subject.Folded, new HighlightField { NumberOfFragments = 0, HighlightQuery = Positives(Fields.Subject.Folded, positives) }),
                    new(Fields.Text, new HighlightField
                    {
                        FragmentSize = options.HighlightFragmentSize,
                        NumberOfFragments = options.MaxHighlightFragments,
                        HighlightQuery = Positives(Fields.Text, positives),
                    }),
                ],
            };
        }

        return search;
    }

    public static string FacetName(int i) => "facet" + i.ToString(CultureInfo.InvariantCulture);

    /// <summary>The scoring query and the positive clauses (words and phrases) that highlighting marks.</summary>
    public (Query Core, List<QueryClause> Positives) TextQuery(string? text)
    {
        var clauses = QueryTextParser.Parse(text);
        var accented = text is not null && VietnameseRules.HasDiacritics(text);
        var should = new List<Query>();
        var must = new List<Query>();
        var mustNot = new List<Query>();
        var positives = new List<QueryClause>();
        var hasRequired = false;

        foreach (var clause in clauses.Where(c => QueryTextParser.HasWord(c.Text)))
        {
            switch (clause.Kind)
            {
                case QueryClauseKind.Words:
                    should.Add(Words(clause.Text, Boosted(g => g.Folded, 1)));
                    if (accented && _ranking.AccentedBoost > 0)
                    {
                        should.Add(Words(clause.Text, Boosted(g => g.Accented, _ranking.AccentedBoost)));
                    }

                    if (_ranking.BigramBoost > 0)
                    {
                        should.Add(Words(clause.Text, Boosted(g => g.Bigrams, _ranking.BigramBoost)));
                    }

                    positives.Add(clause);
                    break;
                case QueryClauseKind.Phrase:
                    var variants = new List<Query> { Phrase(clause.Text, Boosted(g => g.Folded, 1)) };
                    if (accented && _ranking.AccentedBoost > 0)
                    {
                        variants.Add(Phrase(clause.Text, Boosted(g => g.Accented, _ranking.AccentedBoost)));
                    }

                    must.Add(variants.Count == 1 ? variants[0] : new BoolQuery { Should = variants, MinimumShouldMatch = 1 });
                    positives.Add(clause);
                    hasRequired = true;
                    break;
                case QueryClauseKind.Exclude:
                    // Typed with diacritics: excludes only that spelling; without: every spelling.
                    var exact = VietnameseRules.HasDiacritics(clause.Text);
                    mustNot.Add(Phrase(clause.Text, Fields.Groups.Select(g => new Field(exact ? g.Accented : g.Folded)).ToArray()));
                    break;
            }
        }

        if (positives.Count == 0)
        {
            must.Add(new MatchAllQuery());
        }

        var query = new BoolQuery();
        if (must.Count > 0)
        {
            query.Must = must;
        }

        if (should.Count > 0)
        {
            query.Should = should;
            if (!hasRequired)
            {
                query.MinimumShouldMatch = 1;
            }
        }

        if (mustNot.Count > 0)
        {
            query.MustNot = mustNot;
        }

        return (query, positives);
    }

    /// <summary>The positive words (OR) and phrases of the query on one field: what highlighting marks.</summary>
    private static Query Positives(string field, List<QueryClause> positives)
    {
        var should = positives.Select(p => p.Kind == QueryClauseKind.Phrase
            ? (Query)new MatchPhraseQuery(field, p.Text)
            : new MatchQuery(field, p.Text)).ToList();
        return new BoolQuery { Should = should };
    }

    /// <summary>Free words: the sum over fields of the OR of their syllables (BM25), as the embedded engine scores them.</summary>
    private static MultiMatchQuery Words(string text, Field[] fields) => new(text)
    {
        Type = TextQueryType.MostFields,
        Fields = global::Elastic.Clients.Elasticsearch.Fields.FromFields(fields),
    };

    /// <summary>A phrase (a single syllable is a term) in any field, scores summed (tie_breaker 1).</summary>
    private static MultiMatchQuery Phrase(string text, Field[] fields) => new(text)
    {
        Type = TextQueryType.Phrase,
        TieBreaker = 1,
        Fields = global::Elastic.Clients.Elasticsearch.Fields.FromFields(fields),
    };

    /// <summary>The fields of every weighted group (weight &gt; 0) in one variant, weight × <paramref name="factor"/>.</summary>
    private Field[] Boosted(Func<TextGroup, string> variant, float factor)
    {
        var fields = new List<Field>(4);
        foreach (var (group, weight) in new[] { (Fields.Title, _ranking.TitleBoost), (Fields.Subject, _ranking.SubjectBoost), (Fields.Meta, _ranking.MetaBoost), (Fields.Body, _ranking.TextBoost) })
        {
            if (weight > 0)
            {
                var boost = IndexDefinition.Round(weight * factor);
                fields.Add(boost == 1 ? new Field(variant(group)) : new Field(variant(group), boost));
            }
        }

        return fields.ToArray();
    }

    private static List<SortOptions> Sort(SearchSort sort) => sort switch
    {
        SearchSort.DateDescending => [DateSort(SortOrder.Desc), IdSort()],
        SearchSort.DateAscending => [DateSort(SortOrder.Asc), IdSort()],
        _ => [new SortOptions { Score = new ScoreSort { Order = SortOrder.Desc } }, IdSort()],
    };

    /// <summary>Undated documents last either way.</summary>
    private static SortOptions DateSort(SortOrder order) => new() { Field = new FieldSort(Fields.Date) { Order = order, Missing = "_last" } };

    private static SortOptions IdSort() => new() { Field = new FieldSort(Fields.Id) { Order = SortOrder.Asc } };

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

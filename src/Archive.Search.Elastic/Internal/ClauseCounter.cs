using System.Globalization;
using System.Text.Json.Nodes;

namespace Archive.Search.Elastic.Internal;

/// <summary>
/// Counts the Lucene leaf clauses a query will become on the server, from the query JSON the adapter sends, so that a
/// query over the cluster's clause limit is refused as a bad request before it is sent.
/// </summary>
/// <remarks>
/// <para>Elasticsearch 9 refuses a query whose rewritten Lucene query has more leaf clauses than the node's limit
/// (Lucene's <c>IndexSearcher.TooManyNestedClauses</c> visitor counts every leaf query and every term-consuming query
/// once, across all nesting levels), with HTTP 400 <c>too_many_nested_clauses</c> / <c>too_many_clauses</c>. The limit
/// is computed per node from heap and search thread pool size and is never below 1024
/// (<c>server/src/main/java/org/elasticsearch/search/SearchUtils.java</c>: <c>DEFAULT_MAX_CLAUSE_COUNT = 1024</c>,
/// <c>Math.max(DEFAULT_MAX_CLAUSE_COUNT, heapInMb * 64 / threadPoolSize)</c>), which is why
/// <see cref="ElasticsearchSearchOptions.MaxQueryClauses"/> defaults to 1024.</para>
/// <para>What is counted: a <c>match</c> or <c>most_fields</c> <c>multi_match</c> becomes one term query per token per
/// field; a phrase (<c>match_phrase</c>, <c>multi_match</c> of type <c>phrase</c>) one phrase query per field; a
/// <c>terms</c>, <c>range</c> or <c>match_all</c> one clause; <c>bool</c> and <c>nested</c> the sum of what they hold.
/// Tokens are counted as the <c>standard</c> tokenizer splits Vietnamese text — runs of letters (with their combining
/// marks) and digits — so the count is an upper bound (bigram fields are counted with one token per syllable).</para>
/// </remarks>
internal static class ClauseCounter
{
    public static int Count(JsonNode? query)
    {
        if (query is not JsonObject obj)
        {
            return 0;
        }

        var total = 0;
        foreach (var (kind, body) in obj)
        {
            total += kind switch
            {
                "bool" => Sum(body?["must"]) + Sum(body?["should"]) + Sum(body?["filter"]) + Sum(body?["must_not"]),
                "nested" => Count(body?["query"]),
                "multi_match" => MultiMatch(body),
                "match" => Match(body),
                "match_phrase" => 1,
                _ => 1, // terms, range, match_all, term, …
            };
        }

        return total;
    }

    /// <summary>Syllables and numbers of a text as the <c>standard</c> tokenizer cuts it (an upper bound).</summary>
    public static int Tokens(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }

        var count = 0;
        var inToken = false;
        foreach (var c in text)
        {
            var word = char.IsLetterOrDigit(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
            if (word && !inToken)
            {
                count++;
            }

            inToken = word;
        }

        return count;
    }

    private static int Sum(JsonNode? clauses) => clauses switch
    {
        JsonArray array => array.Sum(Count),
        JsonObject single => Count(single),
        _ => 0,
    };

    private static int MultiMatch(JsonNode? body)
    {
        var fields = body?["fields"] is JsonArray f ? Math.Max(f.Count, 1) : 1;
        var type = body?["type"]?.GetValue<string>();
        var perField = type is "phrase" or "phrase_prefix" ? 1 : Tokens(body?["query"]?.GetValue<string>());
        return fields * perField;
    }

    private static int Match(JsonNode? body)
    {
        if (body is not JsonObject fields)
        {
            return 1;
        }

        var total = 0;
        foreach (var (_, value) in fields)
        {
            total += Tokens(value is JsonObject o ? o["query"]?.GetValue<string>() : value?.GetValue<string>());
        }

        return total;
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Archive.Bench;

/// <summary>One article of an ALQAC-style corpus (<c>{id, law_id, article_id, title, text}</c>).</summary>
internal sealed record CorpusDoc(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("law_id")] string? LawId,
    [property: JsonPropertyName("article_id")] string? ArticleId,
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("text")] string? Text);

/// <summary>One question (<c>{id, text, relevant:[doc ids], split}</c>).</summary>
internal sealed record BenchQuery(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("relevant")] IReadOnlyList<string>? Relevant,
    [property: JsonPropertyName("split")] string? Split);

/// <summary>Loading of the benchmark files and the retrieval metrics.</summary>
internal static class SearchBenchData
{
    public static List<T> ReadJsonLines<T>(string path)
    {
        var list = new List<T>();
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                list.Add(JsonSerializer.Deserialize<T>(line) ?? throw new InvalidDataException($"{path}: null line"));
            }
        }

        return list;
    }

    /// <summary>TREC qrels (<c>query-id TAB 0 TAB doc-id TAB relevance</c>; ids may contain spaces): query id → relevant doc ids.</summary>
    public static Dictionary<string, HashSet<string>> ReadQrels(string path)
    {
        var result = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            var parts = line.Split('\t');
            if (parts.Length < 4 || !int.TryParse(parts[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var rel) || rel <= 0)
            {
                continue;
            }

            if (!result.TryGetValue(parts[0], out var set))
            {
                result[parts[0]] = set = new HashSet<string>(StringComparer.Ordinal);
            }

            set.Add(parts[2]);
        }

        return result;
    }

    /// <summary>
    /// Removes Vietnamese diacritics the way a person typing without them would (and đ → d). Written independently of
    /// the engine's own folding so that the benchmark does not test the engine with itself.
    /// </summary>
    public static string RemoveDiacritics(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            sb.Append(c switch { 'đ' => 'd', 'Đ' => 'D', _ => c });
        }

        return sb.ToString().Normalize(NormalizationForm.FormC);
    }

    public static string Pct(double value) => (value * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";
}

/// <summary>Recall@1, Recall@10 and MRR@10 over a set of queries.</summary>
internal sealed class RetrievalMetrics
{
    private double _r1;
    private double _r10;
    private double _mrr;

    public int Count { get; private set; }

    public double Recall1 => Count == 0 ? 0 : _r1 / Count;

    public double Recall10 => Count == 0 ? 0 : _r10 / Count;

    public double Mrr10 => Count == 0 ? 0 : _mrr / Count;

    public void Add(IReadOnlyList<string> ranked, IReadOnlySet<string> relevant)
    {
        Count++;
        if (relevant.Count == 0)
        {
            return;
        }

        _r1 += ranked.Take(1).Count(relevant.Contains) / (double)relevant.Count;
        _r10 += ranked.Take(10).Count(relevant.Contains) / (double)relevant.Count;
        for (var i = 0; i < Math.Min(10, ranked.Count); i++)
        {
            if (relevant.Contains(ranked[i]))
            {
                _mrr += 1.0 / (i + 1);
                break;
            }
        }
    }
}

using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace Archive.Search.Lucene.Internal;

/// <summary>Counts, over every matching document, the values of exact-match fields (sorted-set doc values).</summary>
internal sealed class FacetCollector(IReadOnlyList<string> searchFields) : ICollector
{
    private readonly Dictionary<string, long>[] _totals = searchFields.Select(_ => new Dictionary<string, long>(StringComparer.Ordinal)).ToArray();
    private readonly SortedSetDocValues?[] _values = new SortedSetDocValues?[searchFields.Count];
    private readonly long[]?[] _counts = new long[]?[searchFields.Count];

    public bool AcceptsDocsOutOfOrder => true;

    public void SetScorer(Scorer scorer)
    {
    }

    public void SetNextReader(AtomicReaderContext context)
    {
        FlushSegment();
        for (var f = 0; f < searchFields.Count; f++)
        {
            var dv = context.AtomicReader.GetSortedSetDocValues(Fields.Exact(searchFields[f]));
            _values[f] = dv;
            _counts[f] = dv is null ? null : new long[dv.ValueCount];
        }
    }

    public void Collect(int doc)
    {
        for (var f = 0; f < _values.Length; f++)
        {
            var dv = _values[f];
            if (dv is null)
            {
                continue;
            }

            var counts = _counts[f]!;
            dv.SetDocument(doc);
            long ord;
            while ((ord = dv.NextOrd()) != SortedSetDocValues.NO_MORE_ORDS)
            {
                counts[ord]++;
            }
        }
    }

    /// <summary>The counts per field, most frequent first (ties by value), at most <paramref name="size"/> each.</summary>
    public Dictionary<string, IReadOnlyList<FacetValue>> Result(int size)
    {
        FlushSegment();
        var result = new Dictionary<string, IReadOnlyList<FacetValue>>(StringComparer.Ordinal);
        for (var f = 0; f < searchFields.Count; f++)
        {
            result[searchFields[f]] = _totals[f]
                .OrderByDescending(kv => kv.Value)
                .ThenBy(kv => kv.Key, StringComparer.Ordinal)
                .Take(size)
                .Select(kv => new FacetValue(kv.Key, kv.Value))
                .ToList();
        }

        return result;
    }

    private void FlushSegment()
    {
        var scratch = new BytesRef();
        for (var f = 0; f < _values.Length; f++)
        {
            var dv = _values[f];
            var counts = _counts[f];
            if (dv is null || counts is null)
            {
                continue;
            }

            var totals = _totals[f];
            for (var ord = 0; ord < counts.Length; ord++)
            {
                if (counts[ord] != 0)
                {
                    dv.LookupOrd(ord, scratch);
                    var key = scratch.Utf8ToString();
                    totals[key] = totals.GetValueOrDefault(key) + counts[ord];
                }
            }

            _values[f] = null;
            _counts[f] = null;
        }
    }
}

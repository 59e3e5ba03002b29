using System.Runtime.CompilerServices;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace Archive.Search.Lucene.Internal;

/// <summary>
/// The documents a request's filters accept, kept per segment as a bit set (without deletions, which the live documents
/// apply at search time). Filters repeat — a researcher's scope, an agency's, a year range — while segments stay: a
/// large segment's documents never change once written, only their deletion marks. Evaluating a broad filter walks
/// the postings of every term it covers (a twenty-year range over a million documents is a million postings); a cached
/// one costs a lookup (with the cache off, <see cref="LuceneSearchOptions.FilterCacheEntries"/> 0, a request's filters
/// are a plain <see cref="QueryWrapperFilter"/>). Per segment of at least <see cref="LuceneSearchOptions.FilterCacheMinSegmentDocs"/> documents, at
/// most <see cref="LuceneSearchOptions.FilterCacheEntries"/> filters are kept (the oldest goes first), maxDoc / 8 bytes
/// each; a segment's entries go with the segment (weakly keyed on its core).
/// </summary>
internal sealed class FilterCache(int entriesPerSegment, int minSegmentDocs)
{
    private readonly ConditionalWeakTable<object, Segment> _segments = [];

    /// <summary>The filter of <paramref name="query"/>, whose meaning <paramref name="key"/> identifies exactly.</summary>
    public CachedFilter For(Query query, string key) => new(this, query, key);

    private (FixedBitSet Bits, bool Empty) Get(AtomicReaderContext leaf, Query query, string key)
    {
        var reader = leaf.AtomicReader;
        if (reader.MaxDoc < minSegmentDocs)
        {
            return Compute(leaf, query);
        }

        var segment = _segments.GetValue(reader.CoreCacheKey, _ => new Segment());
        lock (segment)
        {
            if (segment.Entries.TryGetValue(key, out var hit))
            {
                return hit;
            }
        }

        var computed = Compute(leaf, query);
        lock (segment)
        {
            if (segment.Entries.TryAdd(key, computed))
            {
                segment.Order.Enqueue(key);
                while (segment.Order.Count > entriesPerSegment)
                {
                    segment.Entries.Remove(segment.Order.Dequeue());
                }
            }
        }

        return computed;
    }

    private static (FixedBitSet Bits, bool Empty) Compute(AtomicReaderContext leaf, Query query)
    {
        var bits = new FixedBitSet(leaf.AtomicReader.MaxDoc);
        var it = new QueryWrapperFilter(query).GetDocIdSet(leaf, null)?.GetIterator();
        if (it is not null)
        {
            bits.Or(it);
        }

        return (bits, bits.Cardinality == 0);
    }

    private sealed class Segment
    {
        public Dictionary<string, (FixedBitSet Bits, bool Empty)> Entries { get; } = new(StringComparer.Ordinal);

        public Queue<string> Order { get; } = new();
    }

    /// <summary>A request's filters, answered from the cache.</summary>
    internal sealed class CachedFilter(FilterCache cache, Query query, string key) : Filter
    {
        /// <summary>The documents of <paramref name="leaf"/> the filters accept, deleted ones included.</summary>
        public (FixedBitSet Bits, bool Empty) Accepted(AtomicReaderContext leaf) => cache.Get(leaf, query, key);

        public override DocIdSet GetDocIdSet(AtomicReaderContext context, IBits acceptDocs)
        {
            var (bits, empty) = Accepted(context);
            return empty ? null! : BitsFilteredDocIdSet.Wrap(bits, acceptDocs);
        }

        public override string ToString() => "cached(" + key + ")";
    }
}

/// <summary>Both bit sets: the filter's and the live documents.</summary>
internal sealed class AndBits(IBits a, IBits b) : IBits
{
    public int Length => a.Length;

    public bool Get(int index) => a.Get(index) && b.Get(index);
}

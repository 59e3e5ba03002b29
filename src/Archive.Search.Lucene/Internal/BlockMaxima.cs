using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Util;

namespace Archive.Search.Lucene.Internal;

/// <summary>
/// Per-segment block maxima of a term's BM25 scores, for block-max pruning in <see cref="TopTermsSearch"/>: for each
/// block of <see cref="BlockSize"/> consecutive documents (by document number), the largest value of BM25's
/// term-frequency part <c>tf / (tf + k1 · (1 − b + b · length / avgdl))</c> among the block's documents that contain the
/// term, rounded up to 1/255. Times the clause's <c>idf · boost · (k1 + 1)</c> that bounds what the term scores anywhere
/// in the block — far below the global bound where the term is rare or its documents long — and 0 where the block holds
/// none of its documents.
/// </summary>
/// <remarks>
/// <para>Lucene.NET 4.8 stores no per-block maxima (Lucene 8's "impacts"). They are computed from the segment itself — one
/// pass over the term's postings and the field's norms — the first time a query needs them, and kept as long as the
/// segment is open (keyed by the segment's core, which is immutable: a merged or new segment gets its own). Only terms
/// with long postings get them (<see cref="Worth"/>): a short posting list is cheap to walk, and what pruning saves is
/// walking and advancing long ones. Memory: one byte per block per term (about 8 KB per term per million documents), for
/// at most <see cref="MaxTermsPerSegment"/> terms per segment; further terms keep their global bound.</para>
/// <para>The maxima are taken at the segment's own average field length <c>avgdl₀</c>; a query's <c>avgdl</c> is the whole
/// index's. With <c>A = k1 · (1 − b)</c>, <c>B = k1 · b</c>, <c>x = length / avgdl₀</c> and <c>r = avgdl₀ / avgdl</c>, a
/// document scores <c>tf / (tf + A + B · r · x)</c>: at most the stored maximum <c>M</c> when <c>r ≥ 1</c>, and at most
/// <c>M / r</c> when <c>r &lt; 1</c> (because <c>tf + A + B · r · x ≥ r · (tf + A + B · x)</c>).</para>
/// </remarks>
internal sealed class BlockMaxima
{
    /// <summary>log2 of <see cref="BlockSize"/>.</summary>
    public const int Shift = 7;

    /// <summary>Documents per block.</summary>
    public const int BlockSize = 1 << Shift;

    private const float Steps = 255f;

    /// <summary>Most terms kept per segment: memory stays below 4096 bytes per 128 documents (32 MB per million).</summary>
    private const int MaxTermsPerSegment = 4096;

    private static readonly ConditionalWeakTable<object, ConcurrentDictionary<Term, BlockMaxima?>> Segments = new();

    private readonly byte[] _max;

    private BlockMaxima(byte[] max, float k1, float b, float avgdl, bool hasNorms)
    {
        _max = max;
        K1 = k1;
        B = b;
        Avgdl = avgdl;
        HasNorms = hasNorms;
    }

    /// <summary>BM25's k1 the maxima were computed with.</summary>
    public float K1 { get; }

    /// <summary>BM25's b the maxima were computed with.</summary>
    public float B { get; }

    /// <summary>The segment's average field length the maxima were computed at.</summary>
    public float Avgdl { get; }

    /// <summary>Whether the field has norms (without them BM25 acts as if <c>b = 0</c>).</summary>
    public bool HasNorms { get; }

    /// <summary>Number of blocks.</summary>
    public int Blocks => _max.Length;

    /// <summary>Whether a term with <paramref name="docFreq"/> documents in a segment of <paramref name="maxDoc"/> gets block maxima.</summary>
    public static bool Worth(int docFreq, int maxDoc) => docFreq >= 64 && (long)docFreq * 32 >= maxDoc;

    /// <summary>The block maxima of <paramref name="term"/> in <paramref name="leaf"/>, computed on first use; null when not worth it.</summary>
    public static BlockMaxima? For(AtomicReaderContext leaf, Term term, BM25Similarity similarity)
    {
        var reader = leaf.AtomicReader;
        var terms = Segments.GetValue(reader.CoreCacheKey, static _ => new ConcurrentDictionary<Term, BlockMaxima?>());
        if (terms.TryGetValue(term, out var known) && (known is null || (known.K1 == similarity.K1 && known.B == similarity.B)))
        {
            return known;
        }

        if (terms.Count >= MaxTermsPerSegment)
        {
            return null; // the segment's budget is spent: this term keeps its global bound
        }

        var computed = Compute(reader, term, similarity.K1, similarity.B);
        terms[term] = computed;
        return computed;
    }

    /// <summary>Computes the block maxima of <paramref name="term"/> from the segment's postings and norms (also used by tests).</summary>
    public static BlockMaxima? Compute(AtomicReader reader, Term term, float k1, float b)
    {
        var docFreq = reader.DocFreq(term);
        if (!Worth(docFreq, reader.MaxDoc))
        {
            return null;
        }

        // Deleted documents are included (null live docs): a bound over more documents is still a bound.
        var postings = reader.GetTermDocsEnum(term);
        if (postings is null)
        {
            return null;
        }

        var norms = reader.GetNormValues(term.Field);
        var avgdl = Average(reader.GetSumTotalTermFreq(term.Field), reader.MaxDoc);
        var lengthPart = new double[256];
        for (var i = 0; i < lengthPart.Length; i++)
        {
            lengthPart[i] = k1 * ((1 - b) + (b * Length((byte)i) / avgdl));
        }

        var max = new byte[(reader.MaxDoc + BlockSize - 1) >> Shift];
        for (var doc = postings.NextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = postings.NextDoc())
        {
            double freq = postings.Freq;
            var part = freq / (freq + (norms is null ? k1 : lengthPart[(byte)norms.Get(doc)]));
            var steps = (byte)Math.Min(Steps, Math.Ceiling(part * Steps));
            var block = doc >> Shift;
            if (steps > max[block])
            {
                max[block] = steps;
            }
        }

        return new BlockMaxima(max, k1, b, avgdl, norms is not null);
    }

    /// <summary>
    /// The most the term scores in <paramref name="block"/>, as a fraction of its global bound <c>idf · boost · (k1 + 1)</c>,
    /// for a query whose average field length is <paramref name="avgdl"/>; 0 where the block has none of its documents.
    /// </summary>
    public double Fraction(int block, float avgdl)
    {
        var steps = _max[block];
        if (steps == 0)
        {
            return 0;
        }

        var fraction = steps / Steps;
        if (HasNorms && avgdl > Avgdl)
        {
            fraction = fraction * avgdl / Avgdl; // M / r with r = avgdl0 / avgdl < 1 (see remarks)
        }

        return Math.Min(1, fraction);
    }

    /// <summary>The average field length a query on <paramref name="field"/> uses, as Lucene 4.8's <c>BM25Similarity</c> computes it (<c>sumTotalTermFreq / maxDoc</c> over the searcher).</summary>
    public static float AverageLength(IndexSearcher searcher, string field)
    {
        var stats = searcher.CollectionStatistics(field);
        return Average(stats.SumTotalTermFreq, stats.MaxDoc);
    }

    /// <summary>BM25's average field length: <c>sumTotalTermFreq / maxDoc</c>, 1 when the field has no statistics.</summary>
    private static float Average(long sumTotalTermFreq, long maxDoc) => sumTotalTermFreq <= 0 ? 1f : (float)(sumTotalTermFreq / (double)maxDoc);

    /// <summary>A field length decoded from its norm byte as BM25 does (<c>1 / f²</c>, <c>f</c> decoded by <c>SmallFloat</c>).</summary>
    private static float Length(byte norm)
    {
        var f = SmallSingle.SByte315ToSingle((sbyte)norm);
        return 1.0f / (f * f);
    }
}

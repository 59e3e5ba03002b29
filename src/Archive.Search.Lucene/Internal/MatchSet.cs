using Lucene.Net.Search;
using Lucene.Net.Util;

namespace Archive.Search.Lucene.Internal;

/// <summary>
/// The documents a flat OR of term queries matches, found without scoring: per segment, the postings of the clauses that
/// make a document match (the driving ones of <see cref="DisjunctionClause"/>; optional clauses only add score) are
/// ORed into a bit set, which is then fed to a collector in document order. This is how facets are counted and the exact
/// total is found while <see cref="TopTermsSearch"/> finds the page: the exhaustive path would compute the BM25 sum of
/// every clause for every match only to throw it away for all but the page.
/// </summary>
internal static class MatchSet
{
    /// <summary>
    /// Feeds every document that <paramref name="clauses"/> match (within <paramref name="filter"/> and the live
    /// documents) to <paramref name="collector"/>, with no scorer; returns how many there were.
    /// </summary>
    public static long Collect(IndexSearcher searcher, IReadOnlyList<DisjunctionClause> clauses, Filter? filter, ICollector collector)
    {
        var weights = clauses.Where(c => !c.Optional).Select(c => searcher.CreateNormalizedWeight(c.Clause)).ToList();
        long total = 0;
        foreach (var leaf in searcher.IndexReader.Leaves)
        {
            var accept = TopTermsSearch.AcceptDocs(leaf, filter);
            if (accept.Skip)
            {
                continue;
            }

            FixedBitSet? matches = null;
            foreach (var weight in weights)
            {
                // A term scorer's NextDoc only walks the postings; no score is computed unless asked for.
                var scorer = weight.GetScorer(leaf, accept.Bits);
                if (scorer is null)
                {
                    continue;
                }

                matches ??= new FixedBitSet(leaf.AtomicReader.MaxDoc);
                int doc;
                while ((doc = scorer.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
                {
                    matches.Set(doc);
                }
            }

            if (matches is null)
            {
                continue;
            }

            collector.SetNextReader(leaf);
            var it = matches.GetIterator();
            int match;
            while ((match = it.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
            {
                collector.Collect(match);
                total++;
            }
        }

        return total;
    }
}

using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Util;

namespace Archive.Search.Lucene.Internal;

/// <summary>
/// Top-k evaluation of a flat OR of BM25 term queries that skips documents which cannot reach the page (MaxScore,
/// Turtle &amp; Flood 1995). Lucene 4.8 scores every matching document of a disjunction; a Vietnamese question ORs dozens
/// of frequent syllables and matches most of the index, so this is where free-text time goes.
/// </summary>
/// <remarks>
/// <para>Each clause has an upper bound on its score: BM25's <c>idf · boost · (k1 + 1)</c> (the term-frequency part
/// <c>tf / (tf + k1 · norm)</c> is below 1). Clauses are ordered by bound; the clauses whose bounds together are below
/// the current page threshold θ (the score of the k-th best document so far) are "non-essential": a document that
/// matches only them cannot enter the page, so only the postings of the other clauses are walked, and the
/// non-essential ones are advanced to a candidate only while its score could still reach θ. Optional clauses never
/// make a document match: common syllables behind the common-terms gate and the accented variants of syllables, which
/// match only where their folded syllable does — so their postings are never walked, only advanced to candidates, and
/// the bound of a variant is charged to that syllable's clause rather than to every document. The bigram of a driving
/// syllable drives too: it matches only where that syllable matches, so it adds no match, and as a clause of its own —
/// short postings, high bound — it lets the frequent syllables it contains be set aside sooner.</para>
/// <para>Block-max (Ding &amp; Suel 2011, in its MaxScore form): a clause with long postings also has per-block bounds
/// (<see cref="BlockMaxima"/>: the most it scores in each block of 128 documents, 0 where it has no document there).
/// Once the page has a threshold, a block whose clauses together cannot reach it is skipped as a whole (every walked
/// clause advances past it), and a candidate is checked against the clauses' bounds in its own block, not their global
/// ones, before any non-essential clause is advanced to it; a clause without a document in the block is not advanced
/// at all.</para>
/// <para>The hits are exactly those of the exhaustive OR (same documents, same BM25 sum; the sum is added up in a fixed
/// clause order so that a document scores the same on every page of a cursor). What is lost is the exact count:
/// documents are counted exactly until <c>exactUpTo</c> matches have been seen, and only then does pruning start;
/// afterwards the count is a lower bound (every counted document matches).</para>
/// </remarks>
internal static class TopTermsSearch
{
    /// <summary>Safety margin on the bounds, covering float rounding of sums of up to a few hundred clauses.</summary>
    private const double BoundMargin = 1.001;

    /// <summary>Result of <see cref="Search"/>.</summary>
    public readonly record struct Outcome(long Total, bool Exact);

    /// <summary>
    /// Feeds every document that may belong to the best <paramref name="k"/> (in the order of relevance, after
    /// <paramref name="afterScore"/> when paging) to <paramref name="collector"/>, with its exact score.
    /// Returns null when the searcher's similarity is not BM25 (the caller then runs the exhaustive query).
    /// </summary>
    public static Outcome? Search(IndexSearcher searcher, IReadOnlyList<DisjunctionClause> clauses, Filter? filter, ICollector collector, int k, float? afterScore, int exactUpTo)
    {
        if (searcher.Similarity is not BM25Similarity bm25 || !clauses.Any(c => !c.Optional))
        {
            return null;
        }

        // Weights are normalised one by one: BM25 ignores the query norm, and the OR has coord disabled, so each
        // clause scores exactly as it does inside the BooleanQuery of the exhaustive path.
        var weighted = clauses
            .Select(c => (c.Clause, c.Optional, c.Within, Weight: searcher.CreateNormalizedWeight(c.Clause)))
            .Select(c => (c.Clause, c.Optional, c.Within, c.Weight, Bound: Math.Sqrt(c.Weight.GetValueForNormalization()) * (bm25.K1 + 1) * BoundMargin))
            .ToList();

        // An optional clause that only matches where a driving clause matches (an accented variant or a bigram within
        // its folded syllable) is charged to that clause: a document that does not match it cannot get its score.
        var drivingClauses = new HashSet<Query>(weighted.Where(c => !c.Optional).Select(c => c.Clause), ReferenceEqualityComparer.Instance);
        var charged = new Dictionary<Query, double>(ReferenceEqualityComparer.Instance);
        foreach (var c in weighted.Where(c => c.Optional && c.Within is not null && drivingClauses.Contains(c.Within)))
        {
            charged[c.Within!] = charged.GetValueOrDefault(c.Within!) + c.Bound;
        }

        // Clauses that can make a document match ("driving") come first, by bound (their own plus what is charged to
        // them) ascending; optional ones after.
        var terms = weighted
            .Select(c => (c.Weight, c.Optional, c.Bound, Charged: c.Optional ? 0 : charged.GetValueOrDefault(c.Clause), Free: c.Optional && (c.Within is null || !drivingClauses.Contains(c.Within)), Term: (c.Clause as TermQuery)?.Term))
            .OrderBy(t => t.Optional)
            .ThenBy(t => t.Bound + t.Charged)
            .ToArray();
        var n = terms.Length;
        var driving = terms.Count(t => !t.Optional);
        var optionalBound = terms.Where(t => t.Free).Sum(t => t.Bound);

        // prefix[i] = most a document can score from driving clauses 0..i, what is charged to them, and every free
        // optional clause; chargedFrom[i] = what is charged to driving clauses i.. (not in prefix[i - 1]).
        var prefix = new double[driving];
        var chargedFrom = new double[driving + 1];
        var running = optionalBound;
        for (var i = 0; i < driving; i++)
        {
            running += terms[i].Bound + terms[i].Charged;
            prefix[i] = running;
        }

        for (var i = driving - 1; i >= 0; i--)
        {
            chargedFrom[i] = chargedFrom[i + 1] + terms[i].Charged;
        }

        // Block-max bounds: the average field length each clause's scorer uses (the whole searcher's).
        var lengths = new Dictionary<string, float>(StringComparer.Ordinal);
        var avgdl = new float[n];
        for (var i = 0; i < n; i++)
        {
            if (terms[i].Term is { } term)
            {
                if (!lengths.TryGetValue(term.Field, out var length))
                {
                    lengths[term.Field] = length = BlockMaxima.AverageLength(searcher, term.Field);
                }

                avgdl[i] = length;
            }
        }

        var maxima = new BlockMaxima?[n];
        var blockBound = new double[n];
        var parked = new List<int>(n);
        var state = new State(k, afterScore, exactUpTo, prefix);
        var fake = new ScoreHolder();
        var scorers = new Scorer?[n];
        var termScores = new float[n];
        var matched = new List<int>(n);
        var heap = new DocHeap(scorers, n);
        foreach (var leaf in searcher.IndexReader.Leaves)
        {
            var accept = AcceptDocs(leaf, filter);
            if (accept.Skip)
            {
                continue;
            }

            var anyMaxima = false;
            for (var i = 0; i < n; i++)
            {
                scorers[i] = terms[i].Weight.GetScorer(leaf, accept.Bits);
                maxima[i] = scorers[i] is not null && terms[i].Term is { } term ? BlockMaxima.For(leaf, term, bm25) : null;
                anyMaxima |= maxima[i] is not null;
            }

            var block = -1;
            var blockEnd = 0;
            var blockEssential = 0;
            parked.Clear();

            collector.SetNextReader(leaf);
            collector.SetScorer(fake);
            heap.Clear();
            var essential = state.FirstEssential;
            for (var i = 0; i < driving; i++)
            {
                if (scorers[i] is { } s)
                {
                    if (i < essential)
                    {
                        state.Pruned = true; // documents that match only this clause are not seen (nor counted)
                    }
                    else if (s.NextDoc() != DocIdSetIterator.NO_MORE_DOCS)
                    {
                        heap.Push(i);
                    }
                }
            }

            while (true)
            {
                if (parked.Count > 0 && (heap.Count == 0 || heap.TopDoc >= blockEnd))
                {
                    // Past the block: the clauses set aside in it walk again from its end.
                    foreach (var i in parked)
                    {
                        var s = scorers[i]!;
                        if (i >= state.FirstEssential && (s.DocID < blockEnd ? s.Advance(blockEnd) : s.DocID) != DocIdSetIterator.NO_MORE_DOCS)
                        {
                            heap.Push(i);
                        }
                    }

                    parked.Clear();
                }

                if (heap.Count == 0)
                {
                    break;
                }

                var doc = heap.TopDoc;
                if (state.FirstEssential != essential)
                {
                    for (var i = essential; i < state.FirstEssential; i++)
                    {
                        state.Pruned |= scorers[i] is not null;
                    }

                    essential = state.FirstEssential;
                }

                // Block-max: what each clause can score at most in this document's block (0 where the block has none of
                // its documents). A block whose clauses together cannot reach the page is skipped as a whole; in the
                // others, the driving clauses whose block bounds (with every optional one's) stay below the page are
                // set aside for the block like non-essential ones: not walked, only advanced to candidates.
                var blocked = anyMaxima && state.Theta > 0;
                if (blocked && doc >> BlockMaxima.Shift != block)
                {
                    block = doc >> BlockMaxima.Shift;
                    blockEnd = (block + 1) << BlockMaxima.Shift;
                    var total = 0d;
                    for (var i = 0; i < n; i++)
                    {
                        blockBound[i] = scorers[i] is null ? 0 : maxima[i] is { } m ? terms[i].Bound * m.Fraction(block, avgdl[i]) : terms[i].Bound;
                        total += blockBound[i];
                    }

                    if (total < state.Theta)
                    {
                        state.Pruned = true; // the block's matching documents are not seen (nor counted)
                        while (heap.Count > 0 && heap.TopDoc < blockEnd)
                        {
                            if (scorers[heap.Top]!.Advance(blockEnd) == DocIdSetIterator.NO_MORE_DOCS)
                            {
                                heap.Pop();
                            }
                            else
                            {
                                heap.UpdateTop();
                            }
                        }

                        continue;
                    }

                    var setAside = 0d;
                    for (var i = driving; i < n; i++)
                    {
                        setAside += blockBound[i];
                    }

                    blockEssential = 0;
                    while (blockEssential < driving && setAside + blockBound[blockEssential] < state.Theta)
                    {
                        setAside += blockBound[blockEssential++];
                    }

                    if (blockEssential > essential)
                    {
                        // Rebuilt without the clauses set aside: documents only they match are not seen (nor counted).
                        heap.Drain(parked);
                        foreach (var i in parked)
                        {
                            if (i >= blockEssential)
                            {
                                heap.Push(i);
                            }
                        }

                        parked.RemoveAll(i => i >= blockEssential);
                        state.Pruned |= parked.Count > 0;
                        continue;
                    }
                }

                var walkedFrom = blocked ? Math.Max(essential, blockEssential) : essential;
                double sum = 0;
                var any = false;
                matched.Clear();
                while (heap.Count > 0 && heap.TopDoc == doc)
                {
                    var i = heap.Top;
                    if (i < essential)
                    {
                        // Became non-essential since it was queued: leave it on this document (the loop below reads
                        // it) and stop walking its postings.
                        heap.Pop();
                        continue;
                    }

                    var s = scorers[i]!;
                    var v = s.GetScore();
                    termScores[i] = v;
                    matched.Add(i);
                    sum += v;
                    any = true;
                    if (s.NextDoc() == DocIdSetIterator.NO_MORE_DOCS)
                    {
                        heap.Pop();
                    }
                    else
                    {
                        heap.UpdateTop();
                    }
                }

                state.Matches++; // a driving clause matches: the document matches the query
                if (!any)
                {
                    continue; // only non-essential clauses match here: it cannot reach the page
                }

                // The other clauses, biggest bound first, while the document can still reach the page.
                var theta = state.Theta;
                var remaining = (essential > 0 ? prefix[essential - 1] : optionalBound) + chargedFrom[essential];
                var optionalCount = n - driving;
                if (blocked)
                {
                    // The same clauses (every optional one and the driving ones not walked here), bounded in this block.
                    remaining = 0;
                    for (var t = 0; t < optionalCount + walkedFrom; t++)
                    {
                        remaining += blockBound[t < optionalCount ? n - 1 - t : walkedFrom - 1 - (t - optionalCount)];
                    }
                }

                var competitive = true;
                for (var t = 0; t < optionalCount + walkedFrom; t++)
                {
                    var i = t < optionalCount ? n - 1 - t : walkedFrom - 1 - (t - optionalCount);
                    if (sum + remaining < theta)
                    {
                        competitive = false;
                        break;
                    }

                    remaining -= blocked ? blockBound[i] : terms[i].Bound;
                    var s = scorers[i];
                    if (s is null || (blocked && blockBound[i] == 0))
                    {
                        continue; // not in this segment, or none of its documents in this block: it cannot match here
                    }

                    if (s.DocID < doc)
                    {
                        s.Advance(doc);
                    }

                    if (s.DocID == doc)
                    {
                        var v = s.GetScore();
                        termScores[i] = v;
                        matched.Add(i);
                        sum += v;
                    }
                }

                if (!competitive)
                {
                    continue;
                }

                // Fixed order (by clause), so that a document's score does not depend on what was pruned around it.
                matched.Sort();
                var score = 0f;
                foreach (var i in matched)
                {
                    score += termScores[i];
                }

                fake.Doc = doc;
                fake.Score = score;
                collector.Collect(doc);
                state.Offer(score);
            }
        }

        return new Outcome(state.Matches, !state.Pruned);
    }

    internal static (bool Skip, IBits? Bits) AcceptDocs(AtomicReaderContext leaf, Filter? filter)
    {
        var live = leaf.AtomicReader.LiveDocs;
        if (filter is null)
        {
            return (false, live);
        }

        var set = filter.GetDocIdSet(leaf, live);
        var it = set?.GetIterator();
        if (it is null)
        {
            return (true, null);
        }

        var bits = new FixedBitSet(leaf.AtomicReader.MaxDoc);
        bits.Or(it);
        return (false, bits);
    }

    /// <summary>The page threshold and the count.</summary>
    private sealed class State(int k, float? afterScore, int exactUpTo, double[] prefix)
    {
        private readonly PriorityQueue<float, float> _best = new();

        public long Matches { get; set; }

        /// <summary>Index of the first essential clause (clauses below it are non-essential).</summary>
        public int FirstEssential { get; private set; }

        /// <summary>Whether documents may have been skipped (the count is then a lower bound).</summary>
        public bool Pruned { get; set; }

        /// <summary>A document scoring below this cannot enter the page; 0 while counting exactly.</summary>
        public double Theta { get; private set; }

        public void Offer(float score)
        {
            if (afterScore is { } after && !(score < after))
            {
                return; // may or may not follow the cursor (ties are broken by id): never raises the threshold
            }

            if (_best.Count < k)
            {
                _best.Enqueue(score, score);
            }
            else if (score > _best.Peek())
            {
                _best.DequeueEnqueue(score, score);
            }

            if (_best.Count == k && Matches >= exactUpTo && _best.Peek() > Theta)
            {
                Theta = _best.Peek();
                var e = FirstEssential;
                while (e < prefix.Length && prefix[e] < Theta)
                {
                    e++;
                }

                FirstEssential = e;
            }
        }
    }

    /// <summary>Hands the current document's score to the collector.</summary>
    private sealed class ScoreHolder() : Scorer(null)
    {
        public int Doc { get; set; }

        public float Score { get; set; }

        public override int DocID => Doc;

        public override int Freq => 1;

        public override float GetScore() => Score;

        public override int NextDoc() => throw new NotSupportedException();

        public override int Advance(int target) => throw new NotSupportedException();

        public override long GetCost() => 1;
    }

    /// <summary>Min-heap of clause indexes by the current document of their scorer.</summary>
    private sealed class DocHeap(Scorer?[] scorers, int capacity)
    {
        private readonly int[] _items = new int[capacity];

        public int Count { get; private set; }

        public int Top => _items[0];

        public int TopDoc => scorers[_items[0]]!.DocID;

        public void Clear() => Count = 0;

        /// <summary>Moves every item to <paramref name="into"/> and empties the heap.</summary>
        public void Drain(List<int> into)
        {
            for (var i = 0; i < Count; i++)
            {
                into.Add(_items[i]);
            }

            Count = 0;
        }

        public void Push(int item)
        {
            var i = Count++;
            _items[i] = item;
            var doc = Doc(item);
            while (i > 0)
            {
                var parent = (i - 1) >> 1;
                if (Doc(_items[parent]) <= doc)
                {
                    break;
                }

                _items[i] = _items[parent];
                i = parent;
            }

            _items[i] = item;
        }

        public void Pop()
        {
            Count--;
            if (Count > 0)
            {
                _items[0] = _items[Count];
                UpdateTop();
            }
        }

        /// <summary>Restores the heap after the top's document moved forward.</summary>
        public void UpdateTop()
        {
            var item = _items[0];
            var doc = Doc(item);
            var i = 0;
            while (true)
            {
                var child = (2 * i) + 1;
                if (child >= Count)
                {
                    break;
                }

                if (child + 1 < Count && Doc(_items[child + 1]) < Doc(_items[child]))
                {
                    child++;
                }

                if (Doc(_items[child]) >= doc)
                {
                    break;
                }

                _items[i] = _items[child];
                i = child;
            }

            _items[i] = item;
        }

        private int Doc(int item) => scorers[item]!.DocID;
    }
}

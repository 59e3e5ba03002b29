using Archive.Search.Lucene.Internal;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;

namespace Archive.Search.Lucene.Tests;

/// <summary>
/// The per-block score bounds that let the top-k search skip whole blocks of documents: never below what Lucene's own
/// BM25 scorer gives any document of the block, 0 where the block has none of the term's documents, and well below the
/// global bound <c>idf · (k1 + 1)</c> where they are meant to help.
/// </summary>
public sealed class BlockMaximaTests
{
    [Fact]
    public void Every_document_scores_at_most_its_blocks_bound_and_the_bounds_are_tight()
    {
        using var directory = new RAMDirectory();
        var similarity = new BM25Similarity(1.2f, 0.75f);
        var rng = new Random(11);
        using (var writer = new IndexWriter(directory, new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48)) { Similarity = similarity }))
        {
            for (var segment = 0; segment < 3; segment++)
            {
                for (var d = 0; d < 900; d++)
                {
                    // "common" in most documents, repeated 1-6 times, in fields of 5-200 words; "rare" in a few blocks only.
                    var words = new List<string>();
                    var length = 5 + rng.Next(196);
                    for (var w = 0; w < length; w++)
                    {
                        words.Add("w" + rng.Next(50));
                    }

                    if (rng.NextDouble() < 0.7)
                    {
                        words.AddRange(Enumerable.Repeat("common", 1 + rng.Next(6)));
                    }

                    if (d is >= 300 and < 420 && rng.NextDouble() < 0.8)
                    {
                        words.Add("rare");
                    }

                    writer.AddDocument([new TextField("text", string.Join(' ', words), Field.Store.NO), new StringField("id", $"{segment}-{d}", Field.Store.NO)]);
                }

                writer.Commit(); // one segment per round (no merge at this size)
            }

            writer.DeleteDocuments(new Term("id", "1-310")); // deleted documents keep counting in the bound: still a bound
            writer.Commit();
        }

        using var reader = DirectoryReader.Open(directory);
        var searcher = new IndexSearcher(reader) { Similarity = similarity };
        Assert.True(reader.Leaves.Count >= 3);
        foreach (var word in new[] { "common", "rare", "w7" })
        {
            var term = new Term("text", word);
            var weight = searcher.CreateNormalizedWeight(new TermQuery(term));
            var global = Math.Sqrt(weight.GetValueForNormalization()) * (similarity.K1 + 1);
            var avgdl = BlockMaxima.AverageLength(searcher, "text");
            foreach (var leaf in reader.Leaves)
            {
                var maxima = BlockMaxima.Compute(leaf.AtomicReader, term, similarity.K1, similarity.B);
                Assert.NotNull(maxima); // every one of these terms has postings long enough in a 900-document segment
                var best = new double[maxima.Blocks];
                var scorer = weight.GetScorer(leaf, leaf.AtomicReader.LiveDocs)!;
                for (var doc = scorer.NextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = scorer.NextDoc())
                {
                    var block = doc >> BlockMaxima.Shift;
                    var score = scorer.GetScore();
                    var bound = global * maxima.Fraction(block, avgdl);
                    Assert.True(score <= bound * 1.000001, $"'{word}' doc {doc}: score {score} above its block bound {bound}");
                    best[block] = Math.Max(best[block], score);
                }

                // Tight: the block's best document scores the bound, up to the rounding to 1/255 and the difference
                // between the segment's average length and the index's.
                var slack = (1 / 255d) + (1.5 * Math.Abs(1 - (avgdl / maxima.Avgdl))) + 1e-6;
                for (var block = 0; block < maxima.Blocks; block++)
                {
                    var fraction = maxima.Fraction(block, avgdl);
                    if (best[block] == 0)
                    {
                        // No live document of the block has the term: the bound is 0 unless a deleted one had it.
                        Assert.True(fraction == 0 || leaf.AtomicReader.HasDeletions, $"'{word}' block {block}: bound {fraction} without a document");
                    }
                    else if (!leaf.AtomicReader.HasDeletions)
                    {
                        Assert.True(fraction - (best[block] / global) <= slack, $"'{word}' block {block}: bound {fraction}, best document {best[block] / global}");
                    }
                }
            }
        }

        var rareBlocks = reader.Leaves.Select(l => BlockMaxima.Compute(l.AtomicReader, new Term("text", "rare"), similarity.K1, similarity.B)!).Sum(m => Enumerable.Range(0, m.Blocks).Count(b => m.Fraction(b, 100f) > 0));
        Assert.Equal(3 * 2, rareBlocks); // documents 300-419 of each segment: blocks 2 and 3, and no others
    }

    [Fact]
    public void Short_postings_get_no_block_maxima()
    {
        using var directory = new RAMDirectory();
        using (var writer = new IndexWriter(directory, new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48))))
        {
            for (var d = 0; d < 3000; d++)
            {
                writer.AddDocument([new TextField("text", d % 100 == 0 ? "seldom often" : "often", Field.Store.NO)]);
            }

            writer.Commit();
        }

        using var reader = DirectoryReader.Open(directory);
        var leaf = reader.Leaves[0].AtomicReader;
        Assert.Null(BlockMaxima.Compute(leaf, new Term("text", "seldom"), 1.2f, 0.75f)); // 30 documents: walking them is cheap
        Assert.NotNull(BlockMaxima.Compute(leaf, new Term("text", "often"), 1.2f, 0.75f));
        Assert.Null(BlockMaxima.Compute(leaf, new Term("text", "absent"), 1.2f, 0.75f));
    }
}

using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Archive.Search.Lucene.Analysis;
using Microsoft.Extensions.Logging;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace Archive.Search.Lucene.Internal;

/// <summary>
/// One index folder with its single <see cref="IndexWriter"/>, an NRT <see cref="SearcherManager"/> and the searchers
/// kept for cursors. Reference counted: the owner holds one reference, every operation takes one while it runs, and
/// the last release closes it (and deletes the folder when it was dropped).
/// </summary>
internal sealed class IndexGeneration
{
    private readonly LuceneDirectory _directory;
    private readonly IndexWriter _writer;
    private readonly Similarity _similarity;
    private readonly System.Threading.Lock _commitLock = new();
    private readonly System.Threading.Lock _refreshLock = new();
    private readonly System.Threading.Lock _searcherLock = new();
    private SearcherManager? _searchers;
    private SearcherLifetimeManager? _kept;
    private int _refs = 1;
    private int _retired;
    private long _changeSeq;
    private long _committedSeq;
    private long _visibleSeq;
    private volatile bool _deleteOnClose;

    private readonly ILogger _logger;

    private IndexGeneration(string name, string path, LuceneDirectory directory, IndexWriter writer, Similarity similarity, ILogger logger)
    {
        _logger = logger;
        Name = name;
        Path = path;
        _directory = directory;
        _writer = writer;
        _similarity = similarity;
    }

    /// <summary>Folder name (relative to the index root).</summary>
    public string Name { get; }

    /// <summary>Full path of the folder.</summary>
    public string Path { get; }

    /// <summary>Documents in the index (committed or buffered, deletions applied at flush).</summary>
    public long DocumentCount => _writer.NumDocs;

    public static IndexGeneration Open(string name, string path, LuceneSearchOptions options, ILogger logger)
    {
        System.IO.Directory.CreateDirectory(path);
        var directory = FSDirectory.Open(path);
        try
        {
            var similarity = new BM25Similarity(options.Ranking.K1, options.Ranking.B);
            var config = new IndexWriterConfig(VietnameseAnalyzer.Version, new ArchiveFieldAnalyzer())
            {
                OpenMode = OpenMode.CREATE_OR_APPEND,
                RAMBufferSizeMB = options.RamBufferSizeMb,
                Similarity = similarity,
            };
            var writer = new IndexWriter(directory, config);
            try
            {
                if (!DirectoryReader.IndexExists(directory))
                {
                    writer.Commit(); // an empty commit: readers can open and a rebuild can resume from it
                }

                return new IndexGeneration(name, path, directory, writer, similarity, logger);
            }
            catch
            {
                writer.Dispose();
                throw;
            }
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    public bool TryAcquire()
    {
        while (true)
        {
            var r = Volatile.Read(ref _refs);
            if (r <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _refs, r + 1, r) == r)
            {
                return true;
            }
        }
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _refs) == 0)
        {
            Close();
        }
    }

    /// <summary>Drops the owner's reference; the generation closes once no operation uses it.</summary>
    public void Retire(bool deleteFolder)
    {
        if (deleteFolder)
        {
            _deleteOnClose = true;
        }

        if (Interlocked.Exchange(ref _retired, 1) == 0)
        {
            Release();
        }
    }

    /// <summary>Adds or replaces documents (buffered; call <see cref="CommitUpTo"/> to make them durable).</summary>
    public long Upsert(IReadOnlyList<(string Id, Document Doc)> docs)
    {
        foreach (var (id, doc) in docs)
        {
            _writer.UpdateDocument(new Term(Fields.Id, id), doc);
        }

        return Interlocked.Increment(ref _changeSeq);
    }

    public long Delete(IReadOnlyCollection<string> ids)
    {
        if (ids.Count > 0)
        {
            _writer.DeleteDocuments(ids.Select(id => new Term(Fields.Id, id)).ToArray());
        }

        return Interlocked.Increment(ref _changeSeq);
    }

    /// <summary>
    /// Merges away the segments that mostly hold replaced or deleted documents (Lucene's <c>ForceMergeDeletes</c>: those
    /// above its 10 % threshold), so a finished rebuild ranks like an index written once: document frequencies and field
    /// lengths count deleted documents until their segment is merged, and a resumed rebuild replaces what it wrote before
    /// the interruption.
    /// </summary>
    public void ExpungeDeletes() => _writer.ForceMergeDeletes(doWait: true);

    /// <summary>Durably commits every change up to <paramref name="seq"/> (group commit: one fsync serves all waiting writers).</summary>
    public void CommitUpTo(long seq)
    {
        if (Volatile.Read(ref _committedSeq) >= seq)
        {
            return;
        }

        lock (_commitLock)
        {
            if (Volatile.Read(ref _committedSeq) >= seq)
            {
                return;
            }

            var upTo = Interlocked.Read(ref _changeSeq);
            _writer.Commit();
            Volatile.Write(ref _committedSeq, upTo);
        }
    }

    /// <summary>Makes every acknowledged write visible to new searches.</summary>
    public void Refresh()
    {
        var manager = Searchers();
        var upTo = Volatile.Read(ref _committedSeq);
        lock (_refreshLock)
        {
            if (Volatile.Read(ref _visibleSeq) >= upTo)
            {
                return;
            }

            manager.MaybeRefreshBlocking();
            Volatile.Write(ref _visibleSeq, upTo);
        }
    }

    /// <summary>Background reopen: cheap when nothing changed, never blocks on another refresh.</summary>
    public void MaybeRefresh()
    {
        var upTo = Volatile.Read(ref _committedSeq);
        if (Volatile.Read(ref _visibleSeq) >= upTo && _searchers is not null)
        {
            return;
        }

        if (Searchers().MaybeRefresh())
        {
            // MaybeRefresh opened from the writer, so everything committed before it started is visible.
            lock (_refreshLock)
            {
                if (Volatile.Read(ref _visibleSeq) < upTo)
                {
                    Volatile.Write(ref _visibleSeq, upTo);
                }
            }
        }
    }

    public bool HasUnseenWrites => Volatile.Read(ref _visibleSeq) < Volatile.Read(ref _committedSeq);

    public IndexSearcher AcquireSearcher() => Searchers().Acquire();

    public void ReleaseSearcher(IndexSearcher searcher) => Searchers().Release(searcher);

    /// <summary>Keeps <paramref name="searcher"/> for later pages; returns its version.</summary>
    public long Keep(IndexSearcher searcher)
    {
        Searchers();
        return _kept!.Record(searcher);
    }

    /// <summary>A kept searcher (caller releases with <see cref="ReleaseKept"/>), or null when it was pruned.</summary>
    public IndexSearcher? AcquireKept(long version)
    {
        Searchers();
        return _kept!.Acquire(version);
    }

    public void ReleaseKept(IndexSearcher searcher) => _kept!.Release(searcher);

    public void PruneKept(TimeSpan maxAge)
    {
        var kept = _kept;
        kept?.Prune(new SearcherLifetimeManager.PruneByAge(maxAge.TotalSeconds));
    }

    private SearcherManager Searchers()
    {
        var s = _searchers;
        if (s is not null)
        {
            return s;
        }

        lock (_searcherLock)
        {
            if (_searchers is null)
            {
                _kept = new SearcherLifetimeManager();
                _searchers = new SearcherManager(_writer, applyAllDeletes: true, new SimilaritySearcherFactory(_similarity));
                Volatile.Write(ref _visibleSeq, Volatile.Read(ref _committedSeq));
            }

            return _searchers;
        }
    }

    private void Close()
    {
        try
        {
            _kept?.Dispose();
            _searchers?.Dispose();
            if (_deleteOnClose)
            {
                _writer.Rollback(); // closes without another commit: the folder is dropped anyway
            }
            else
            {
                _writer.Dispose(); // commits what is buffered (every acknowledged write already is)
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // Closing must not throw: acknowledged writes are committed already. Release the lock and files.
            Log.GenerationCloseFailed(_logger, Path, e);
            try
            {
                _writer.Rollback();
            }
            catch (Exception inner) when (inner is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                Log.GenerationRollbackFailed(_logger, Path, inner);
            }
        }
        finally
        {
            _directory.Dispose();
        }

        if (_deleteOnClose)
        {
            try
            {
                System.IO.Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // Left for the start-up clean-up of unreferenced generations.
            }
            catch (UnauthorizedAccessException)
            {
                // Same.
            }
        }
    }

    private sealed class SimilaritySearcherFactory(Similarity similarity) : SearcherFactory
    {
        public override IndexSearcher NewSearcher(IndexReader reader) => new(reader) { Similarity = similarity };
    }
}

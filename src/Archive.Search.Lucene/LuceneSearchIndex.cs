using System.Globalization;
using System.Text;
using Archive.Search.Lucene.Internal;
using Lucene.Net.Documents;
using Lucene.Net.Search;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Archive.Search.Lucene;

/// <summary>
/// The embedded search index: Lucene.NET in a folder, Vietnamese analysis (with and without diacritics), BM25.
/// One writer per process (the folder is locked), near-real-time searchers, durable writes (each
/// <see cref="IndexAsync"/> returns after a Lucene commit, group-committed across concurrent callers), and
/// rebuilds into a new generation folder that replace the live one atomically.
/// </summary>
/// <remarks>
/// <para>Folder layout: <c>current</c> (names the live generation; replaced by temp file + rename), <c>gNNNNNN/</c>
/// (one Lucene index each), <c>gNNNNNN/rebuild.id</c> (marks an unfinished rebuild). At start-up a generation that
/// is neither live nor an unfinished rebuild is deleted.</para>
/// <para>Order of writes: the folder has one writer, in one process, so the index ignores
/// <see cref="SearchDocument.Version"/> (neither compared, stored nor returned in hits) and a delete's version: the last
/// write of an id wins, and the caller orders its own writes (Core indexes a record file under that record file's
/// lock). An index shared by several hosts (Elasticsearch) orders them by the version instead.</para>
/// </remarks>
public sealed class LuceneSearchIndex : ISearchIndex, ISearchIndexRebuilder, IDisposable, IAsyncDisposable
{
    private const string System = "lucene";
    private const string PointerFile = "current";
    private const string RebuildMarker = "rebuild.id";

    private readonly LuceneSearchOptions _options;
    private readonly ILogger _logger;
    private readonly QueryBuilder _queries;
    private readonly Snippets _snippets;
    private readonly Lock _rebuildsLock = new();
    private readonly SemaphoreSlim _switchLock = new(1, 1);
    private readonly Timer _refreshTimer;
    private List<LuceneIndexRebuild> _rebuilds = [];
    private IndexGeneration _live;
    private int _disposed;

    /// <summary>Opens (or creates) the index described by <paramref name="options"/>.</summary>
    public LuceneSearchIndex(LuceneSearchOptions options, ILogger<LuceneSearchIndex>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var check = new LuceneSearchOptionsValidator().Validate(null, options);
        if (check.Failed)
        {
            throw new OptionsValidationException(nameof(LuceneSearchOptions), typeof(LuceneSearchOptions), check.Failures);
        }

        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        RootPath = Path.GetFullPath(options.IndexPath);
        _queries = new QueryBuilder(options.Ranking);
        _snippets = new Snippets(options);
        _live = Wrap("open", OpenLive);
        _refreshTimer = new Timer(_ => BackgroundRefresh(), null, options.RefreshInterval, options.RefreshInterval);
    }

    /// <summary>The index folder.</summary>
    public string RootPath { get; }

    /// <summary>Folder name of the live generation (changes when a rebuild is committed).</summary>
    public string LiveGeneration => Volatile.Read(ref _live).Name;

    /// <inheritdoc />
    public string SystemName => System;

    /// <inheritdoc />
    public SearchCapabilities Capabilities => SearchCapabilities.Highlights | SearchCapabilities.Facets;

    /// <inheritdoc />
    /// <remarks>The index itself answers for <see cref="ISearchIndexRebuilder"/>.</remarks>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc />
    public ValueTask IndexAsync(IReadOnlyCollection<SearchDocument> documents, CancellationToken cancellationToken = default)
    {
        var docs = Prepare(documents);
        cancellationToken.ThrowIfCancellationRequested();
        if (docs.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        Wrap("index", () => WriteLive(g => g.Upsert(docs.Select(Map).ToList())));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DeleteAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
    {
        SearchDocumentValidator.ValidateIds(ids);
        var list = ids.ToList();

        cancellationToken.ThrowIfCancellationRequested();
        if (list.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        Wrap("delete", () => WriteLive(g => g.Delete(list)));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask RefreshAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        Wrap("refresh", () =>
        {
            var g = AcquireLive();
            try
            {
                g.Refresh();
            }
            finally
            {
                g.Release();
            }
        });
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<SearchResults> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default)
    {
        using var measurement = SearchTelemetry.Start();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var (filterQuery, cursor) = RequestValidator.Validate(request, _options);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Wrap("search", () => Search(request, filterQuery, cursor)));
    }

    /// <inheritdoc />
    public async ValueTask<ISearchIndexRebuild> OpenRebuildAsync(string rebuildId, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        SearchDocumentValidator.ValidateRebuildId(rebuildId);

        await _switchLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_rebuildsLock)
            {
                if (_rebuilds.Any(r => r.RebuildId == rebuildId))
                {
                    throw new InvalidOperationException($"Rebuild '{rebuildId}' is already open.");
                }
            }

            var generation = Wrap("rebuild", () =>
            {
                var live = Volatile.Read(ref _live).Name;
                var existing = Generations().FirstOrDefault(n => n != live && ReadMarker(n) == rebuildId);
                var name = existing ?? NextGenerationName();
                if (existing is null)
                {
                    Directory.CreateDirectory(Path.Combine(RootPath, name));
                    WriteFileAtomically(Path.Combine(RootPath, name, RebuildMarker), rebuildId);
                    Log.RebuildStarted(_logger, rebuildId, name);
                }
                else
                {
                    Log.RebuildResumed(_logger, rebuildId, name);
                }

                return IndexGeneration.Open(name, Path.Combine(RootPath, name), _options, _logger);
            });

            var rebuild = new LuceneIndexRebuild(this, rebuildId, generation);
            lock (_rebuildsLock)
            {
                _rebuilds = [.. _rebuilds, rebuild];
            }

            return rebuild;
        }
        finally
        {
            _switchLock.Release();
        }
    }

    /// <summary>Closes the writer (committing) and the searchers. Unfinished rebuilds stay resumable.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _refreshTimer.Dispose();
        List<LuceneIndexRebuild> rebuilds;
        lock (_rebuildsLock)
        {
            rebuilds = _rebuilds;
            _rebuilds = [];
        }

        foreach (var r in rebuilds)
        {
            r.Generation.Retire(deleteFolder: false);
        }

        Volatile.Read(ref _live).Retire(deleteFolder: false);
        _switchLock.Dispose();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    internal void AbandonForCrashTest()
    {
        // Test hook: stop background work and forget the writer without closing it, as a killed process would.
        Interlocked.Exchange(ref _disposed, 1);
        _refreshTimer.Dispose();
    }

    internal List<SearchDocument> Prepare(IReadOnlyCollection<SearchDocument> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        SearchDocumentValidator.Validate(documents, DocumentLimits);
        return documents.ToList();
    }

    internal void WriteRebuild(IndexGeneration generation, List<SearchDocument> docs)
        => Wrap("rebuild-index", () => generation.CommitUpTo(generation.Upsert(docs.Select(Map).ToList())));

    private (string Id, Document Doc) Map(SearchDocument d) => (d.Id, DocumentMapper.ToLucene(d, _options.Ranking.IndexBigrams));

    internal async ValueTask CommitRebuildAsync(LuceneIndexRebuild rebuild, CancellationToken cancellationToken)
    {
        // Before the switch and outside its lock: live writes still reach the rebuild while it merges.
        Wrap("rebuild-merge", rebuild.Generation.ExpungeDeletes);
        await _switchLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var next = rebuild.Generation;
            Wrap("rebuild-commit", () =>
            {
                next.CommitUpTo(long.MaxValue);
                next.Refresh(); // opens the first searcher now, so the switch costs searchers nothing
                WriteFileAtomically(Path.Combine(RootPath, PointerFile), next.Name);
            });

            var old = Interlocked.Exchange(ref _live, next);
            Forget(rebuild);
            TryDelete(Path.Combine(RootPath, next.Name, RebuildMarker));
            Log.RebuildCommitted(_logger, rebuild.RebuildId, next.Name, old.Name);
            old.Retire(deleteFolder: true);
        }
        finally
        {
            _switchLock.Release();
        }
    }

    internal void DiscardRebuild(LuceneIndexRebuild rebuild)
    {
        Forget(rebuild);
        rebuild.Generation.Retire(deleteFolder: true);
    }

    internal void CloseRebuild(LuceneIndexRebuild rebuild)
    {
        if (Forget(rebuild))
        {
            rebuild.Generation.Retire(deleteFolder: false);
        }
    }

    private bool Forget(LuceneIndexRebuild rebuild)
    {
        lock (_rebuildsLock)
        {
            if (!_rebuilds.Contains(rebuild))
            {
                return false;
            }

            _rebuilds = _rebuilds.Where(r => r != rebuild).ToList();
            return true;
        }
    }

    /// <summary>Applies a write to the live generation and every open rebuild, then commits them durably.</summary>
    private void WriteLive(Func<IndexGeneration, long> write)
    {
        var live = AcquireLive();
        var mirrors = AcquireMirrors();
        try
        {
            var seq = write(live);
            var mirrorSeqs = mirrors.Select(write).ToList();
            live.CommitUpTo(seq);
            for (var i = 0; i < mirrors.Count; i++)
            {
                mirrors[i].CommitUpTo(mirrorSeqs[i]);
            }
        }
        finally
        {
            foreach (var m in mirrors)
            {
                m.Release();
            }

            live.Release();
        }
    }

    /// <summary>Open rebuilds receive every live write too, so nothing written during a rebuild is lost by the switch.</summary>
    private List<IndexGeneration> AcquireMirrors()
    {
        List<LuceneIndexRebuild> rebuilds;
        lock (_rebuildsLock)
        {
            rebuilds = _rebuilds;
        }

        var result = new List<IndexGeneration>(rebuilds.Count);
        foreach (var r in rebuilds)
        {
            if (r.Generation.TryAcquire())
            {
                result.Add(r.Generation);
            }
        }

        return result;
    }

    private IndexGeneration AcquireLive()
    {
        while (true)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            var g = Volatile.Read(ref _live);
            if (g.TryAcquire())
            {
                return g;
            }

            Thread.Yield(); // a switch is retiring it: the next read sees the new generation
        }
    }

    private SearchResults Search(SearchRequest request, Query? filterQuery, SearchCursor? cursor)
    {
        var live = AcquireLive();
        IndexSearcher? searcher = null;
        var kept = false;
        try
        {
            if (ParsePointInTime(cursor?.PointInTime) is { } view && view.Generation == live.Name)
            {
                searcher = live.AcquireKept(view.Version);
                kept = searcher is not null;
            }

            if (searcher is null)
            {
                if (request.Consistency == SearchConsistency.ReadYourWrites && live.HasUnseenWrites)
                {
                    live.Refresh();
                }

                searcher = live.AcquireSearcher();
            }

            var built = _queries.Build(request.Query, searcher.IndexReader);
            var sort = SortOf(request.Sort);
            var after = cursor is null ? null : AfterOf(cursor);
            var top = TopFieldCollector.Create(sort, request.PageSize + 1, after, fillFields: true, trackDocScores: request.Sort == SearchSort.Relevance, trackMaxScore: false, docsScoredInOrder: false);
            var facets = request.Facets is { Count: > 0 } f ? new FacetCollector(f.Distinct(StringComparer.Ordinal).ToList()) : null;
            var filter = filterQuery is null ? null : new QueryWrapperFilter(filterQuery);

            // Free words ranked by relevance: top-k evaluation that skips documents which cannot reach the page,
            // counting exactly only up to ExactTotalHitsThreshold; with facets, the matches are then counted exactly in a
            // pass that scores nothing (MatchSet). Everything else scores every match.
            TopTermsSearch.Outcome? topK = null;
            if (built.Disjunction is { } disjunction && request.Sort == SearchSort.Relevance && _options.ExactTotalHitsThreshold < int.MaxValue)
            {
                topK = TopTermsSearch.Search(searcher, disjunction, filter, top, request.PageSize + 1, (float?)cursor?.Score, facets is null ? _options.ExactTotalHitsThreshold : 0);
                if (topK is not null && facets is not null)
                {
                    topK = new TopTermsSearch.Outcome(MatchSet.Collect(searcher, disjunction, filter, facets), Exact: true);
                }
            }

            if (topK is null)
            {
                searcher.Search(built.Scoring, filter, facets is null ? top : MultiCollector.Wrap(top, facets));
            }

            var docs = top.GetTopDocs();
            var hits = new List<SearchHit>(Math.Min(docs.ScoreDocs.Length, request.PageSize));
            for (var i = 0; i < docs.ScoreDocs.Length && i < request.PageSize; i++)
            {
                var sd = docs.ScoreDocs[i];
                var source = searcher.Doc(sd.Doc, SourceOnly).Get(Fields.Source);
                var document = DocumentMapper.FromSource(source);
                hits.Add(new SearchHit
                {
                    Document = document,
                    Score = request.Sort == SearchSort.Relevance ? sd.Score : 0,
                    Highlights = request.Highlight && built.HighlightFor is not null ? _snippets.For(document, built.HighlightFor) : [],
                });
            }

            string? next = null;
            if (docs.ScoreDocs.Length > request.PageSize)
            {
                var last = (FieldDoc)docs.ScoreDocs[request.PageSize - 1];
                var version = live.Keep(searcher);
                next = CursorOf(live.Name, version, request, last).Encode();
            }

            return new SearchResults
            {
                Total = topK is { } k ? Math.Max(k.Total, hits.Count) : docs.TotalHits,
                TotalIsExact = topK?.Exact ?? true,
                Hits = hits,
                NextCursor = next,
                Facets = facets?.Result(request.FacetSize) ?? new Dictionary<string, IReadOnlyList<FacetValue>>(),
            };
        }
        finally
        {
            if (searcher is not null)
            {
                if (kept)
                {
                    live.ReleaseKept(searcher);
                }
                else
                {
                    live.ReleaseSearcher(searcher);
                }
            }

            live.Release();
        }
    }

    private static readonly SortField IdSort = new(Fields.Id, SortFieldType.STRING);

    /// <summary>Only the stored source is read for a hit (the other stored fields are not needed).</summary>
    private static readonly ISet<string> SourceOnly = new HashSet<string>(StringComparer.Ordinal) { Fields.Source };

    private static Sort SortOf(SearchSort sort) => sort switch
    {
        SearchSort.DateDescending => new Sort(DateSort(reverse: true, missing: long.MinValue), IdSort),
        SearchSort.DateAscending => new Sort(DateSort(reverse: false, missing: long.MaxValue), IdSort),
        _ => new Sort(SortField.FIELD_SCORE, IdSort),
    };

    /// <summary>Undated documents sort last either way.</summary>
    private static SortField DateSort(bool reverse, long missing)
    {
        var field = new SortField(Fields.Date, SortFieldType.INT64, reverse);
        field.SetMissingValue(missing);
        return field;
    }

    /// <summary>Ids up to 1024 UTF-8 bytes (Lucene's term limit leaves room), any number of pages.</summary>
    private static readonly SearchDocumentLimits DocumentLimits = new();

    private static FieldDoc AfterOf(SearchCursor c)
    {
        // Lucene.NET's comparers hold J2N boxed numbers.
        object first = c.Sort == SearchSort.Relevance ? J2N.Numerics.Single.GetInstance((float)c.Score) : J2N.Numerics.Int64.GetInstance(c.Date);
        return new FieldDoc(int.MaxValue, c.Sort == SearchSort.Relevance ? (float)c.Score : float.NaN, [first, new global::Lucene.Net.Util.BytesRef(c.Id)]);
    }

    private static SearchCursor CursorOf(string generation, long version, SearchRequest request, FieldDoc last)
    {
        var id = ((global::Lucene.Net.Util.BytesRef)last.Fields[1]).Utf8ToString();
        var hash = SearchCursor.HashOf(request);
        var cursor = request.Sort == SearchSort.Relevance
            ? new SearchCursor(request.Sort, hash, Convert.ToSingle(last.Fields[0], CultureInfo.InvariantCulture), 0, id)
            : new SearchCursor(request.Sort, hash, 0, Convert.ToInt64(last.Fields[0], CultureInfo.InvariantCulture), id);
        return cursor with { PointInTime = PointInTime(generation, version) };
    }

    /// <summary>The searcher that served a page: its generation and the version it was kept under.</summary>
    internal static string PointInTime(string generation, long version) => generation + "@" + version.ToString(CultureInfo.InvariantCulture);

    /// <summary>The generation and searcher version of a cursor's point in time; null when it has none (or not ours).</summary>
    internal static (string Generation, long Version)? ParsePointInTime(string? pointInTime)
    {
        var at = pointInTime?.LastIndexOf('@') ?? -1;
        return at > 0 && long.TryParse(pointInTime.AsSpan(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? (pointInTime![..at], version)
            : null;
    }

    private void BackgroundRefresh()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        try
        {
            var g = Volatile.Read(ref _live);
            if (!g.TryAcquire())
            {
                return;
            }

            try
            {
                g.MaybeRefresh();
                g.PruneKept(_options.CursorLifetime);
            }
            finally
            {
                g.Release();
            }
        }
#pragma warning disable CA1031 // A timer callback must never throw (it would end the process); the next tick retries.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.BackgroundRefreshFailed(_logger, RootPath, e);
        }
    }

    private IndexGeneration OpenLive()
    {
        Directory.CreateDirectory(RootPath);
        TryDelete(Path.Combine(RootPath, PointerFile + ".tmp"));
        var pointer = Path.Combine(RootPath, PointerFile);
        string name;
        if (File.Exists(pointer))
        {
            name = File.ReadAllText(pointer, Encoding.UTF8).Trim();
            if (!IsGenerationName(name) || !Directory.Exists(Path.Combine(RootPath, name)))
            {
                throw new InvalidDataException($"'{pointer}' names generation '{name}', which does not exist.");
            }
        }
        else
        {
            name = NextGenerationName();
        }

        var live = IndexGeneration.Open(name, Path.Combine(RootPath, name), _options, _logger);
        try
        {
            if (!File.Exists(pointer))
            {
                WriteFileAtomically(pointer, name);
            }

            // A marker left in the live generation means a crash between switching and tidying up.
            TryDelete(Path.Combine(RootPath, name, RebuildMarker));

            // The live writer holds the folder's lock now, so no other process is using these.
            foreach (var g in Generations().Where(g => g != name && ReadMarker(g) is null))
            {
                Log.GenerationDeleting(_logger, g);
                try
                {
                    Directory.Delete(Path.Combine(RootPath, g), recursive: true);
                }
                catch (IOException e)
                {
                    Log.GenerationDeleteFailed(_logger, g, e);
                }
            }

            return live;
        }
        catch
        {
            live.Retire(deleteFolder: false);
            throw;
        }
    }

    private IEnumerable<string> Generations()
        => Directory.Exists(RootPath)
            ? Directory.EnumerateDirectories(RootPath).Select(Path.GetFileName).OfType<string>().Where(IsGenerationName).Order(StringComparer.Ordinal).ToList()
            : [];

    private string NextGenerationName()
    {
        var max = Generations().Select(n => long.Parse(n.AsSpan(1), CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();
        if (File.Exists(Path.Combine(RootPath, PointerFile)))
        {
            var current = File.ReadAllText(Path.Combine(RootPath, PointerFile), Encoding.UTF8).Trim();
            if (IsGenerationName(current))
            {
                max = Math.Max(max, long.Parse(current.AsSpan(1), CultureInfo.InvariantCulture));
            }
        }

        return "g" + (max + 1).ToString("D6", CultureInfo.InvariantCulture);
    }

    private static bool IsGenerationName(string name)
        => name.Length >= 2 && name[0] == 'g' && name.AsSpan(1).ContainsAnyExceptInRange('0', '9') == false;

    private string? ReadMarker(string generation)
    {
        var path = Path.Combine(RootPath, generation, RebuildMarker);
        return File.Exists(path) ? File.ReadAllText(path, Encoding.UTF8) : null;
    }

    /// <summary>Writes a small file so that readers see the old or the new content, never a torn one.</summary>
    private static void WriteFileAtomically(string path, string content)
    {
        var tmp = path + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            fs.Write(Encoding.UTF8.GetBytes(content));
            fs.Flush(flushToDisk: true);
        }

        File.Move(tmp, path, overwrite: true);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }

    private void Wrap(string operation, Action action) => Wrap(operation, () =>
    {
        action();
        return 0;
    });

    private T Wrap<T>(string operation, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or ObjectDisposedException
                                       || e.GetType().Namespace?.StartsWith("Lucene", StringComparison.Ordinal) == true)
        {
            throw new ArchiveSearchException(System, RootPath, operation, e.Message, e);
        }
    }
}

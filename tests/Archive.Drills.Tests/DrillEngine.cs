using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Archive.Handover;
using Archive.Hosting;
using Archive.Indexing;
using Archive.Records;
using Archive.Retention;
using Archive.Search;
using Archive.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Archive.Drills.Tests;

/// <summary>
/// The real engine as a host builds it (AddArchive + AddReorganisation: file-system object store, OCFL package stores,
/// Lucene index) over one data folder. Used both by the drills and by the kill drill's child process, so every service
/// is resolved eagerly in the constructor: the child runs inside a module initializer, where no code of this assembly
/// may run on another thread (e.g. the options lambda, if it were first invoked from a pool thread).
/// </summary>
internal sealed class DrillEngine : IAsyncDisposable
{
    public const string AgencyId = "000.00.00.G09";
    public const string ReceivingAgencyId = "000.00.00.H49";
    public const string FondsCode = "P-G09";
    public static readonly ArchiveUser User = new("Kiểm thử độ tin cậy", "mailto:drills@example.invalid");

    private readonly ServiceProvider _services;

    public DrillEngine(string dataPath, Action<ArchiveOptions>? configure = null)
    {
        DataPath = dataPath;
        var services = new ServiceCollection();
        services.AddArchive(o =>
        {
            o.DataPath = dataPath;
            configure?.Invoke(o);
        }).AddEmbeddedDefaults().AddReorganisation();
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        Options = _services.GetRequiredService<IOptions<ArchiveOptions>>().Value;
        Storage = _services.GetRequiredService<ArchiveStorage>();
        Objects = _services.GetRequiredService<IObjectStore>();
        Agencies = _services.GetRequiredService<AgencyRegistry>();
        Fonds = _services.GetRequiredService<FondsRegistry>();
        Files = _services.GetRequiredService<RecordFileService>();
        Indexer = _services.GetRequiredService<RecordIndexer>();
        Reindex = _services.GetRequiredService<ReindexService>();
        Handover = _services.GetRequiredService<HandoverService>();
        Search = _services.GetRequiredService<ISearchIndex>();
    }

    public string DataPath { get; }

    public string StorePath => Path.Combine(DataPath, "store");

    public ArchiveOptions Options { get; }

    public ArchiveStorage Storage { get; }

    public IObjectStore Objects { get; }

    public AgencyRegistry Agencies { get; }

    public FondsRegistry Fonds { get; }

    public RecordFileService Files { get; }

    public RecordIndexer Indexer { get; }

    public ReindexService Reindex { get; }

    public HandoverService Handover { get; }

    public ISearchIndex Search { get; }

    public static HandoverRequest HandoverRequest() => new() { FondsCode = FondsCode, ReceivingAgencyId = ReceivingAgencyId, HandoverId = "BG-DRILL" };

    /// <summary>Registers the two agencies and the open fonds.</summary>
    public async Task SeedAsync(CancellationToken ct)
    {
        await Agencies.CreateAsync(new Agency { Id = AgencyId, Name = "Bộ Nội vụ" }, User, ct);
        await Agencies.CreateAsync(new Agency { Id = ReceivingAgencyId, Name = "Lưu trữ lịch sử" }, User, ct);
        await Fonds.CreateAsync(new FondsInput { Code = FondsCode, Name = "Phông Bộ Nội vụ", AgencyId = AgencyId }, User, ct);
    }

    public static RecordFileInput FileInput(string notation, int year, string title) => new()
    {
        FondsCode = FondsCode,
        FileCatalog = year,
        FileNotation = notation,
        Title = title,
        Maintenance = RetentionPeriod.OfYears(10),
        StartDate = new DateOnly(year, 1, 5),
        EndDate = new DateOnly(year, 12, 20),
        Keywords = ["tổ chức", "bộ máy"],
    };

    public static DocumentInput DocInput(string subject) => new()
    {
        TypeName = "Công văn",
        IssuedDate = new DateOnly(2020, 3, 19),
        OrganName = "Bộ Nội vụ",
        Subject = subject,
    };

    public static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>
    /// Compares the search index with storage: every stored record file and document must be in the index with the
    /// stored title/subject (stale = older version indexed), and the index must hold nothing else (ghosts).
    /// </summary>
    public Task<IndexConsistency> CheckIndexAsync(CancellationToken ct) => CheckIndexAsync(Files, Search, ct);

    /// <inheritdoc cref="CheckIndexAsync(CancellationToken)"/>
    public static async Task<IndexConsistency> CheckIndexAsync(RecordFileService recordFiles, ISearchIndex search, CancellationToken ct)
    {
        // Writes are acknowledged at their commit and projected in the background (#23): compare once this engine's
        // acknowledged changes are projected (a crashed engine's are projected by IndexPendingAsync before the check).
        await recordFiles.WaitForProjectionAsync(TimeSpan.FromSeconds(30), ct);
        var expected = new Dictionary<string, SearchDocument>(StringComparer.Ordinal);
        var files = 0;
        await foreach (var f in recordFiles.ListAsync(cancellationToken: ct))
        {
            files++;
            foreach (var d in SearchProjection.Project(f.Value))
            {
                expected[d.Id] = d;
            }
        }

        var indexed = new Dictionary<string, SearchDocument>(StringComparer.Ordinal);
        string? cursor = null;
        do
        {
            var page = await search.SearchAsync(new SearchRequest { PageSize = SearchRequest.MaxPageSize, Cursor = cursor, Consistency = SearchConsistency.ReadYourWrites }, ct);
            foreach (var hit in page.Hits)
            {
                indexed[hit.Document.Id] = hit.Document;
            }

            cursor = page.Hits.Count == 0 ? null : page.NextCursor;
        }
        while (cursor is not null);

        var missing = expected.Keys.Where(k => !indexed.ContainsKey(k)).ToList();
        var ghosts = indexed.Keys.Where(k => !expected.ContainsKey(k)).ToList();
        var stale = expected.Where(e => indexed.TryGetValue(e.Key, out var i) && (i.Title != e.Value.Title || i.Subject != e.Value.Subject)).Select(e => e.Key).ToList();
        return new IndexConsistency(files, expected.Count, indexed.Count, missing, ghosts, stale);
    }

    /// <summary>
    /// <see cref="StoreDigest"/> once the background projection has settled: every acknowledged change projected and
    /// the reindex flags it cleared (bounded wait), so the digest does not catch a flag on its way out.
    /// </summary>
    public async Task<string> SettledStoreDigestAsync(CancellationToken ct)
    {
        await Files.WaitForProjectionAsync(TimeSpan.FromSeconds(30), ct);
        var flags = Path.Combine(StorePath, "objects", "jobs", "reindex-pending");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Directory.Exists(flags) && Directory.EnumerateFiles(flags, "*", SearchOption.AllDirectories).Any())
        {
            Xunit.Assert.True(DateTime.UtcNow < deadline, "reindex flags still present 30 s after the projection should have cleared them");
            await Task.Delay(20, ct);
        }

        return StoreDigest();
    }

    /// <summary>Every object file under the store (path and SHA-256), without the store's own staging area.</summary>
    public string StoreDigest()
    {
        var sb = new StringBuilder();
        foreach (var file in Directory.EnumerateFiles(StorePath, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var rel = Path.GetRelativePath(StorePath, file);
            if (rel.StartsWith(".staging", StringComparison.Ordinal))
            {
                continue;
            }

            sb.Append(rel).Append(' ').Append(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)))).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>Files in the store's staging area (other than its lock files).</summary>
    public IReadOnlyList<string> StagingFiles()
    {
        var staging = Path.Combine(StorePath, ".staging");
        return Directory.Exists(staging)
            ? Directory.EnumerateFiles(staging, "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).Contains("lock", StringComparison.OrdinalIgnoreCase)).ToList()
            : [];
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}

internal sealed record IndexConsistency(int StoredFiles, int ExpectedDocuments, int IndexedDocuments, IReadOnlyList<string> Missing, IReadOnlyList<string> Ghosts, IReadOnlyList<string> Stale)
{
    public bool IsConsistent => Missing.Count == 0 && Ghosts.Count == 0 && Stale.Count == 0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{StoredFiles} record files, {ExpectedDocuments} expected / {IndexedDocuments} indexed documents; missing [{string.Join(", ", Missing.Take(10))}] ({Missing.Count}), ghosts [{string.Join(", ", Ghosts.Take(10))}] ({Ghosts.Count}), stale [{string.Join(", ", Stale.Take(10))}] ({Stale.Count})");
}

/// <summary>A temporary folder deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder(string name)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "archive-drills", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>Drill sizes from environment variables (documented in docs/operations.md).</summary>
internal static class DrillSettings
{
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static int Int(string name, int fallback)
        => int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;
}

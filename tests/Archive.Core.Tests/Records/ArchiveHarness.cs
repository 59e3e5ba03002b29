using Xunit;
using Archive.Hosting;
using Archive.Indexing;
using Archive.Records;
using Archive.Retention;
using Archive.Search;
using Archive.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Archive.Core.Tests.Records;

/// <summary>
/// The real engine as a host would build it (AddArchive: file-system object store + OCFL package stores + Lucene
/// index) in a temporary folder, deleted on dispose.
/// </summary>
internal sealed class ArchiveHarness : IAsyncDisposable
{
    public const string AgencyId = "000.00.00.G09";
    public const string FondsCode = "P-G09";
    public static readonly ArchiveUser User = new("Nguyễn Văn An", "mailto:an@example.invalid");

    private readonly Action<ArchiveOptions>? _configure;
    private readonly Action<IServiceCollection>? _services;

    private ArchiveHarness(string dataPath, Action<ArchiveOptions>? configure, Action<IServiceCollection>? services)
    {
        DataPath = dataPath;
        _configure = configure;
        _services = services;
        Services = Build();
    }

    public string DataPath { get; }

    public ServiceProvider Services { get; private set; }

    public AgencyRegistry Agencies => Services.GetRequiredService<AgencyRegistry>();

    public FondsRegistry Fonds => Services.GetRequiredService<FondsRegistry>();

    public RecordFileService Files => Services.GetRequiredService<RecordFileService>();

    public RetentionScheduleService Schedules => Services.GetRequiredService<RetentionScheduleService>();

    public RetentionPlanner Planner => Services.GetRequiredService<RetentionPlanner>();

    public ReindexService Reindex => Services.GetRequiredService<ReindexService>();

    public RecordIndexer Indexer => Services.GetRequiredService<RecordIndexer>();

    public ISearchIndex Search => Services.GetRequiredService<ISearchIndex>();

    public IObjectStore Objects => Services.GetRequiredService<IObjectStore>();

    public string IndexPath => Path.Combine(DataPath, "index");

    /// <summary>Content staged in the folder store and not discarded (uploads the engine refused must leave none).</summary>
    public string[] StagedContentFiles()
        => Directory.GetFiles(Path.Combine(Objects.GetService<Archive.Storage.FileSystem.FileSystemObjectStore>()!.RootPath, ".staging"), "*.content", SearchOption.AllDirectories);

    public static ArchiveHarness Create(Action<ArchiveOptions>? configure = null, Action<IServiceCollection>? services = null)
    {
        var path = Path.Combine(Path.GetTempPath(), "archive-core-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return new ArchiveHarness(path, configure, services);
    }

    /// <summary>Disposes the engine (closing the index) and builds a new one over the same folder.</summary>
    public async Task ReopenAsync(Action? whileClosed = null)
    {
        await Services.DisposeAsync();
        whileClosed?.Invoke();
        Services = Build();
    }

    /// <summary>Registers the agency and its open fonds.</summary>
    public async Task SeedAsync(string agencyId = AgencyId, string fondsCode = FondsCode, string name = "Bộ Nội vụ")
    {
        var ct = TestContext.Current.CancellationToken;
        await Agencies.CreateAsync(new Agency { Id = agencyId, Name = name }, User, ct);
        await Fonds.CreateAsync(new FondsInput { Code = fondsCode, Name = "Phông " + name, AgencyId = agencyId }, User, ct);
    }

    public static RecordFileInput FileInput(string notation = "01.TCCB", int year = 2015, string fondsCode = FondsCode) => new()
    {
        FondsCode = fondsCode,
        FileCatalog = year,
        FileNotation = notation,
        Title = "Hồ sơ về việc sắp xếp tổ chức bộ máy năm " + year,
        Maintenance = RetentionPeriod.OfYears(10),
        StartDate = new DateOnly(year, 1, 5),
        EndDate = new DateOnly(year, 12, 20),
        Keywords = ["tổ chức", "bộ máy"],
    };

    public static DocumentInput DocInput(string number = "05", string symbol = "BNV-VP", string subject = "Về việc sắp xếp tổ chức bộ máy", int year = 2015) => new()
    {
        TypeName = "Công văn",
        CodeNumber = number,
        CodeNotation = symbol,
        IssuedDate = new DateOnly(year, 3, 19),
        OrganName = "Bộ Nội vụ",
        Subject = subject,
        SignerInfo = new Signer("Thứ trưởng", "Trần Văn B"),
    };

    /// <summary>Searches once every change acknowledged so far is projected (writes are searchable after their commit, in the background).</summary>
    public async Task<SearchResults> SearchAsync(string query, params SearchFilter[] filters)
    {
        await ProjectedAsync();
        return await Search.SearchAsync(new SearchRequest { Query = query, Filters = filters, PageSize = 100, Consistency = SearchConsistency.ReadYourWrites, Highlight = true }, TestContext.Current.CancellationToken);
    }

    /// <summary>Waits (on the engine's signal) until every change acknowledged so far is in the index or its projection failed.</summary>
    public async Task ProjectedAsync() => await Files.WaitForProjectionAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private ServiceProvider Build()
    {
        var services = new ServiceCollection();
        services.AddArchive(o =>
        {
            o.DataPath = DataPath;
            _configure?.Invoke(o);
        }).AddEmbeddedDefaults();
        _services?.Invoke(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}

/// <summary>Wraps a stream so that it cannot seek and hands out small reads, like a network body.</summary>
internal sealed class ForwardOnlyStream(Stream inner) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 1000));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => inner.ReadAsync(buffer[..Math.Min(buffer.Length, 1000)], cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

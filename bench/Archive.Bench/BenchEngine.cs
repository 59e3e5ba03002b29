using System.Diagnostics;
using System.Globalization;
using Archive.Hosting;
using Archive.Storage.FileSystem;
using Archive.Records;
using Archive.Retention;
using Microsoft.Extensions.DependencyInjection;

namespace Archive.Bench;

/// <summary>
/// The real engine on its embedded defaults (file-system object store, OCFL packages, Lucene index in one data
/// folder), as a host builds it with <c>AddArchive</c>, plus the seeding and measuring helpers shared by the engine
/// benchmarks (ingest, fixity, export, reindex, api-load).
/// </summary>
internal sealed class BenchEngine : IAsyncDisposable
{
    public const string AgencyId = "000.00.00.B01";
    public const string ReceivingAgencyId = "000.00.00.B02";
    public const string FondsCode = "P-BENCH";
    public static readonly ArchiveUser User = new("Nguyễn Văn Đo", "mailto:bench@example.invalid");

    private BenchEngine(string dataPath, ServiceProvider services)
    {
        DataPath = dataPath;
        Services = services;
    }

    public string DataPath { get; }

    public ServiceProvider Services { get; }

    public RecordFileService Files => Services.GetRequiredService<RecordFileService>();

    public AgencyRegistry Agencies => Services.GetRequiredService<AgencyRegistry>();

    public FondsRegistry Fonds => Services.GetRequiredService<FondsRegistry>();

    /// <summary>Builds the engine over <paramref name="dataPath"/> (created when absent).</summary>
    public static BenchEngine Open(string dataPath, bool extractText = true, Archive.Storage.FileSystem.FileSystemDurability? durability = null, Action<ArchiveOptions>? configure = null)
    {
        Directory.CreateDirectory(dataPath);
        var services = new ServiceCollection();
        var builder = services.AddArchive(o =>
        {
            o.DataPath = Path.GetFullPath(dataPath);
            o.ExtractText = extractText;
            configure?.Invoke(o);
        }).AddEmbeddedDefaults().AddReorganisation();
        if (durability is { } d)
        {
            builder.AddFileSystemStorage(o =>
            {
                o.RootPath = Path.Combine(Path.GetFullPath(dataPath), "store");
                o.Durability = d;
            });
        }

        return new BenchEngine(Path.GetFullPath(dataPath), services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }));
    }

    /// <summary>Registers the bench agency, a receiving agency and the bench fonds unless they exist.</summary>
    public async Task SeedRegistriesAsync()
    {
        if (await Agencies.GetAsync(AgencyId) is null)
        {
            await Agencies.CreateAsync(new Agency { Id = AgencyId, Name = "Sở Nội vụ tỉnh Bến Tre" }, User);
        }

        if (await Agencies.GetAsync(ReceivingAgencyId) is null)
        {
            await Agencies.CreateAsync(new Agency { Id = ReceivingAgencyId, Name = "Trung tâm Lưu trữ lịch sử tỉnh Bến Tre" }, User);
        }

        if (await Fonds.GetAsync(FondsCode) is null)
        {
            await Fonds.CreateAsync(new FondsInput { Code = FondsCode, Name = "Phông Sở Nội vụ tỉnh Bến Tre", AgencyId = AgencyId }, User);
        }
    }

    /// <summary>Metadata of record file number <paramref name="n"/> (notation <c>n.BENCH</c>, years 2000–2024).</summary>
    public static RecordFileInput FileInput(int n, Random rng) => new()
    {
        FondsCode = FondsCode,
        FileCatalog = 2000 + (n % 25),
        FileNotation = n.ToString("D6", CultureInfo.InvariantCulture) + ".BENCH",
        Title = BenchText.Title(rng),
        Maintenance = n % 3 == 0 ? RetentionPeriod.Permanent : RetentionPeriod.OfYears(n % 3 == 1 ? 10 : 20),
        StartDate = new DateOnly(2000 + (n % 25), 1, 5),
        EndDate = new DateOnly(2000 + (n % 25), 12, 20),
        Keywords = [BenchText.Keyword(rng), BenchText.Keyword(rng)],
        Description = BenchText.Sentence(rng),
    };

    /// <summary>Metadata of document <paramref name="d"/> of record file <paramref name="n"/>.</summary>
    public static DocumentInput DocInput(int n, int d, Random rng) => new()
    {
        TypeName = BenchText.DocumentType(rng),
        CodeNumber = (((n * 7) + d) % 999 + 1).ToString("D2", CultureInfo.InvariantCulture),
        CodeNotation = "SNV-VP",
        IssuedDate = new DateOnly(2000 + (n % 25), 1 + (d % 12), 1 + (n % 28)),
        OrganName = "Sở Nội vụ tỉnh Bến Tre",
        Subject = BenchText.Title(rng),
        PageAmount = 5,
        SignerInfo = new Signer("Giám đốc", "Trần Thị Bích Ngọc"),
    };

    /// <summary>Creates record files with documents; <paramref name="content"/> gives each document's content, or null for none.</summary>
    public async Task<List<string>> SeedFilesAsync(int files, int docsPerFile, Func<int, int, (string Name, string MediaType, Stream Content)?> content, int parallel = 2, int firstFile = 0)
    {
        await SeedRegistriesAsync();
        var codes = new string[files];
        var next = -1;
        var sw = Stopwatch.StartNew();
        long done = 0;
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < files)
            {
                var n = firstFile + i;
                codes[i] = await AddFileAsync(n, docsPerFile, content);
                var d = Interlocked.Increment(ref done);
                if (d % 500 == 0)
                {
                    Console.WriteLine($"  seeded {d}/{files} record files, {sw.Elapsed.TotalSeconds:0} s");
                }
            }
        })));
        return [.. codes];
    }

    /// <summary>One record file with its documents and their content, through the public engine calls.</summary>
    public async Task<string> AddFileAsync(int n, int docsPerFile, Func<int, int, (string Name, string MediaType, Stream Content)?> content)
    {
        var rng = new Random(n);
        var file = (await Files.CreateAsync(FileInput(n, rng), User)).Stored;
        var version = file.Version;
        for (var d = 1; d <= docsPerFile; d++)
        {
            version = (await Files.AddDocumentAsync(file.Value.FileCode, DocInput(n, d, rng), version, User)).Stored.Version;
            if (content(n, d) is { } c)
            {
                await using (c.Content)
                {
                    version = (await Files.AddContentAsync(file.Value.FileCode, d, new ContentUpload { FileName = c.Name, MediaType = c.MediaType, Content = c.Content }, version, User)).Stored.Version;
                }
            }
        }

        return file.Value.FileCode;
    }

    public async ValueTask DisposeAsync() => await Services.DisposeAsync();

    // ------------------------------------------------------------------------------------------------ measuring

    /// <summary>The 1/5/15-minute load averages: other work on the machine skews wall-clock figures.</summary>
    public static string LoadAverage()
        => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>A value of /proc/self/status (kB), e.g. VmHWM (peak resident set) or VmRSS, or -1 where unknown.</summary>
    public static long ProcStatusKb(string field, int? pid = null)
    {
        var path = pid is null ? "/proc/self/status" : $"/proc/{pid}/status";
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return -1;
    }

    /// <summary>
    /// Runs a shell pipeline (bash -c) to its end; returns the wall-clock seconds, the user + system CPU seconds of
    /// its processes (bash's <c>times</c>), and its standard output.
    /// </summary>
    public static async Task<(double Seconds, string Output, double CpuSeconds)> ShellAsync(string script)
    {
        const string Marker = "--- times ---";
        var psi = new ProcessStartInfo("bash", ["-c", "set -o pipefail; " + script + "\nrc=$?; echo '" + Marker + "'; times; exit $rc"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start bash");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        var seconds = sw.Elapsed.TotalSeconds;
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{script}' failed ({p.ExitCode}): {await stderr}");
        }

        var output = await stdout;
        var at = output.LastIndexOf(Marker, StringComparison.Ordinal);
        var cpu = 0.0;
        if (at >= 0)
        {
            // Two lines: the shell's own user/sys times, then its children's: "0m1.234s 0m0.056s".
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(output[at..], @"(\d+)m([0-9.]+)s"))
            {
                cpu += (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * 60) + double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            }

            output = output[..at];
        }

        return (seconds, output, cpu);
    }

    /// <summary>Bytes of every file under <paramref name="dir"/>.</summary>
    public static long FolderBytes(string dir)
        => Directory.Exists(dir) ? new DirectoryInfo(dir).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;

    /// <summary>Quotes a path for bash.</summary>
    /// <summary>Writes a file as the physical references do: created new, then flushed to disk (fsync).</summary>
    public static async Task WriteDurableAsync(string path, byte[] bytes)
    {
        await using var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
        await fs.WriteAsync(bytes);
        fs.Flush(flushToDisk: true);
    }

    public static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>A data folder: the one given (must be empty or absent unless reuse), else a new temporary one deleted at the end unless --keep.</summary>
    public static (string Path, bool Delete) DataFolder(BenchArgs args, string name, bool allowExisting = false)
    {
        var given = args.Optional("data");
        if (given is null)
        {
            var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "archive-bench", name + "-" + Guid.NewGuid().ToString("N")[..8]);
            return (path, !args.Has("keep"));
        }

        var full = System.IO.Path.GetFullPath(given);
        if (!allowExisting && Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
        {
            throw new ArgumentException($"--data {full} is not empty; pass an empty or absent folder");
        }

        return (full, false);
    }

    /// <summary>Deletes a folder the benchmark created.</summary>
    public static void Cleanup(string path, bool delete)
    {
        if (!delete)
        {
            Console.WriteLine($"kept {path}");
            return;
        }

        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"could not delete {path}: {e.Message}");
        }
    }

    /// <summary>The heading of every result: what ran, where and under which load.</summary>
    public static void PrintHeading(string command, string details)
        => Console.WriteLine($"\n{command}: {details} — {Table.Machine()}, load average {LoadAverage()}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");

    /// <summary>Megabytes (10^6 bytes) per second.</summary>
    public static double MBps(long bytes, double seconds) => bytes / 1e6 / seconds;

    /// <summary>Formats with one decimal.</summary>
    public static string F1(double v) => v.ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>Formats a ratio as a percentage.</summary>
    public static string Pct(double v) => (v * 100).ToString("0", CultureInfo.InvariantCulture) + " %";
}

using System.Collections.Concurrent;
using System.Text.Json;
using Archive.Records;

namespace Archive.Exchange;

/// <summary>
/// The jobs of the exchange folder: one folder per job holding <c>job.json</c> (written to a temporary file, flushed
/// to disk and renamed over the old one: a crash leaves the old state or the new one) and the job's files.
/// </summary>
internal sealed class PackageJobStore
{
    private const string JobFile = "job.json";
    private readonly ConcurrentDictionary<string, PackageJob> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);
    private int _loaded;

    public PackageJobStore(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    public static string NewId(PackageJobKind kind) => kind switch
    {
        PackageJobKind.HandoverExport => "h-",
        PackageJobKind.TransferExport => "t-",
        PackageJobKind.HandoverReceipt => "r-",
        _ => "a-",
    } + Guid.NewGuid().ToString("N");

    /// <summary>Whether <paramref name="id"/> has the shape of a job id (nothing else reaches the file system).</summary>
    public static bool IsWellFormed(string? id)
        => id is { Length: 34 } && id[1] == '-' && id[0] is 'h' or 't' or 'r' or 'a' && id.AsSpan(2).ContainsAnyExcept("0123456789abcdef") is false;

    public string Folder(string id) => Path.Combine(Root, id);

    public string FileOf(string id, string name) => Path.Combine(Root, id, name);

    public SemaphoreSlim Lock(string id) => _locks.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));

    public PackageJob? Get(string id)
    {
        if (!IsWellFormed(id))
        {
            return null;
        }

        EnsureLoaded();
        return _cache.TryGetValue(id, out var job) ? job : null;
    }

    public IReadOnlyList<PackageJob> List()
    {
        EnsureLoaded();
        return [.. _cache.Values.OrderByDescending(j => j.CreatedAt).ThenBy(j => j.Id, StringComparer.Ordinal)];
    }

    public async ValueTask<PackageJob> SaveAsync(PackageJob job, CancellationToken cancellationToken)
    {
        EnsureLoaded();
        var folder = Folder(job.Id);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, JobFile);
        var temp = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp"; // concurrent saves never share a temporary file
        var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            await JsonSerializer.SerializeAsync(stream, job, ArchiveJson.Options, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
        _cache[job.Id] = job;
        return job;
    }

    private void EnsureLoaded()
    {
        if (Volatile.Read(ref _loaded) == 1)
        {
            return;
        }

        lock (_cache)
        {
            if (_loaded == 1)
            {
                return;
            }

            if (Directory.Exists(Root))
            {
                foreach (var dir in Directory.EnumerateDirectories(Root))
                {
                    var id = Path.GetFileName(dir);
                    var path = Path.Combine(dir, JobFile);
                    if (!IsWellFormed(id) || !File.Exists(path))
                    {
                        continue;
                    }

                    try
                    {
                        using var stream = File.OpenRead(path);
                        if (JsonSerializer.Deserialize<PackageJob>(stream, ArchiveJson.Options) is { } job && job.Id == id)
                        {
                            _cache[id] = job;
                        }
                    }
                    catch (JsonException ex)
                    {
                        throw new ArchiveException($"The job file '{path}' cannot be read: {ex.Message}", ex);
                    }
                }
            }

            Volatile.Write(ref _loaded, 1);
        }
    }
}

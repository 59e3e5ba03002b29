using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Archive.Records;
using Archive.Storage;

namespace Archive.Exchange;

/// <summary>
/// The exchange jobs in the archive's object store, so that every host sharing the storage sees them: one record per
/// job, <c>exchange/jobs/&lt;id&gt;.json</c> (the store's put is atomic: a reader sees the old state or the new one),
/// and the job's files under <c>exchange/files/&lt;id&gt;/</c> (the package built, its seal and documents; the parts of
/// an upload). <see cref="Root"/> is this host's scratch folder, where a package is built or a received one is
/// verified; nothing in it outlives the step that wrote it, except a handover bag that a stopped run leaves for the
/// next run on the same host to resume.
/// </summary>
internal sealed class PackageJobStore
{
    /// <summary>Prefix of the job records.</summary>
    public const string JobsPrefix = "exchange/jobs/";

    /// <summary>Prefix of the jobs' files.</summary>
    public const string FilesPrefix = "exchange/files/";

    private const string JobSuffix = ".json";
    private readonly IObjectStore _objects;
    private readonly ConcurrentDictionary<string, (string ETag, PackageJob Job)> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public PackageJobStore(IObjectStore objects, string root)
    {
        _objects = objects;
        Root = Path.GetFullPath(root);
    }

    /// <summary>This host's scratch folder.</summary>
    public string Root { get; }

    public IObjectStore Objects => _objects;

    public static string NewId(PackageJobKind kind) => kind switch
    {
        PackageJobKind.HandoverExport => "h-",
        PackageJobKind.TransferExport => "t-",
        PackageJobKind.HandoverReceipt => "r-",
        _ => "a-",
    } + Guid.NewGuid().ToString("N");

    /// <summary>Whether <paramref name="id"/> has the shape of a job id (nothing else reaches the store or the file system).</summary>
    public static bool IsWellFormed(string? id)
        => id is { Length: 34 } && id[1] == '-' && id[0] is 'h' or 't' or 'r' or 'a' && id.AsSpan(2).ContainsAnyExcept("0123456789abcdef") is false;

    /// <summary>The lease a host holds while it runs or changes the job.</summary>
    public static string LeaseName(string id) => "jobs/exchange/" + id;

    public static string RecordKey(string id) => JobsPrefix + id + JobSuffix;

    /// <summary>Prefix of the job's files in the store.</summary>
    public static string FilesOf(string id) => FilesPrefix + id + "/";

    /// <summary>Key of one of the job's files in the store.</summary>
    public static string FileKey(string id, string name) => FilesOf(id) + name;

    /// <summary>Key of the upload part that starts at <paramref name="offset"/>.</summary>
    public static string PartKey(string id, long offset) => FilesOf(id) + "upload/" + offset.ToString("D16", CultureInfo.InvariantCulture);

    /// <summary>The job's scratch folder on this host.</summary>
    public string Folder(string id) => Path.Combine(Root, id);

    public string FileOf(string id, string name) => Path.Combine(Root, id, name);

    /// <summary>Serialises this process's changes of one job (across hosts, the job's lease does).</summary>
    public SemaphoreSlim Lock(string id) => _locks.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));

    /// <summary>The job as stored now; <see langword="null"/> when there is none.</summary>
    public async ValueTask<PackageJob?> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (!IsWellFormed(id))
        {
            return null;
        }

        var content = await _objects.GetAsync(RecordKey(id), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return null;
        }

        await using (content.ConfigureAwait(false))
        {
            if (_cache.TryGetValue(id, out var cached) && cached.ETag == content.Info.ETag)
            {
                return cached.Job;
            }

            PackageJob? job;
            try
            {
                job = await JsonSerializer.DeserializeAsync<PackageJob>(content.Stream, ArchiveJson.Options, cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException ex)
            {
                throw new ArchiveException($"The job record '{RecordKey(id)}' cannot be read: {ex.Message}", ex);
            }

            if (job is null || job.Id != id)
            {
                return null;
            }

            _cache[id] = (content.Info.ETag, job);
            return job;
        }
    }

    /// <summary>Every job in the store, newest first (records unchanged since they were last read come from memory).</summary>
    public async ValueTask<IReadOnlyList<PackageJob>> ListAsync(CancellationToken cancellationToken)
    {
        var jobs = new List<PackageJob>();
        await foreach (var item in _objects.ListAsync(JobsPrefix, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var name = item.Key[JobsPrefix.Length..];
            if (!name.EndsWith(JobSuffix, StringComparison.Ordinal) || !IsWellFormed(name[..^JobSuffix.Length]))
            {
                continue;
            }

            var id = name[..^JobSuffix.Length];
            if (_cache.TryGetValue(id, out var cached) && cached.ETag == item.ETag)
            {
                jobs.Add(cached.Job);
            }
            else if (await GetAsync(id, cancellationToken).ConfigureAwait(false) is { } job)
            {
                jobs.Add(job);
            }
        }

        return [.. jobs.OrderByDescending(j => j.CreatedAt).ThenBy(j => j.Id, StringComparer.Ordinal)];
    }

    public async ValueTask<PackageJob> SaveAsync(PackageJob job, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(job, ArchiveJson.Options);
        var info = await _objects.PutBytesAsync(RecordKey(job.Id), bytes, new PutObjectOptions { ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);
        _cache[job.Id] = (info.ETag, job);
        return job;
    }

    /// <summary>Removes the job's files from the store (not its record) and its scratch folder on this host.</summary>
    public async ValueTask DeleteFilesAsync(string id, CancellationToken cancellationToken, string? under = null)
    {
        var keys = new List<string>();
        await foreach (var item in _objects.ListAsync(FilesOf(id) + under, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            keys.Add(item.Key);
        }

        foreach (var key in keys)
        {
            await _objects.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        }

        if (under is null)
        {
            DeleteScratch(id);
        }
    }

    /// <summary>Removes the job's scratch folder on this host.</summary>
    public void DeleteScratch(string id)
    {
        var folder = Folder(id);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

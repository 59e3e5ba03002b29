using System.Security.Cryptography;
using Archive.Audit;
using Archive.Core.Tests.Records;
using Archive.Exchange;
using Archive.Hosting;
using Archive.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using static Archive.Core.Tests.Exchange.ExchangeFixture;
using static Archive.Core.Tests.Reorganisation.ReorgFixture;

namespace Archive.Core.Tests.Exchange;

/// <summary>
/// Two hosts — two engines, each with its own data folder (scratch, index) — on one object store folder with
/// <c>Archive:Hosts:Shared</c> on (issue #20 item 3): a job is seen with its progress and its package downloaded from
/// either host, runs on one host at a time, and is finished by the other host when the one running it dies.
/// </summary>
public sealed class SharedHostsExchangeTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "archive-core-tests", "shared-" + Guid.NewGuid().ToString("N"));

    public SharedHostsExchangeTests() => Directory.CreateDirectory(_root);

    private string Store => Path.Combine(_root, "store");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Three record files of P-A whose contents are gate-1.bin, gate-2.bin, gate-3.bin.</summary>
    private static async Task<Dictionary<string, byte[]>> SeedAsync(ArchiveHarness h)
    {
        await h.SeedCommunesAsync();
        var contents = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var i = 1; i <= 3; i++)
        {
            var bytes = RandomNumberGenerator.GetBytes(30_000 * i);
            contents.Add(await h.RecordFileAsync("P-A", $"0{i}.VP", bytes, $"gate-{i}.bin"), bytes);
        }

        return contents;
    }

    [Fact]
    public async Task A_job_started_on_one_host_shows_its_progress_and_serves_its_package_on_the_other()
    {
        var gate = new Gate("gate-2.bin");
        await using var a = CreateHost("host-a", Store, s => new GatedStore(s, gate));
        await using var b = CreateHost("host-b", Store);
        var contents = await SeedAsync(a);
        await using var workerA = await a.StartWorkerAsync();
        var caller = Staff(A);

        gate.Armed = true;
        var started = await a.Exchange().StartHandoverAsync(new HandoverJobRequest { FondsCode = "P-A", ReceivingAgencyId = C }, caller, Ct);
        await gate.Entered.Task.WaitAsync(SettleTimeout, Ct);

        // Host B looks for work only once host A holds the job: started earlier, its poll could take the queued job
        // before host A's own queue ran it (a race seen in CI under load), and host B's store has no gate.
        await using var workerB = await b.StartWorkerAsync();

        // Host A builds the package (held at the second file); host B sees the job running and how far it is.
        PackageJob seen;
        var deadline = DateTime.UtcNow + SettleTimeout;
        do
        {
            await Task.Delay(50, Ct);
            seen = await b.Exchange().GetAsync(started.Id, caller, Ct);
        }
        while (seen.FilesDone == 0 && DateTime.UtcNow < deadline);
        Assert.Equal(PackageJobState.Running, seen.State);
        Assert.True(seen.FilesDone >= 1 && seen.FilesDone < seen.FilesTotal, $"{seen.FilesDone} of {seen.FilesTotal} files"); // held at gate-2.bin
        Assert.Equal(started.Id, Assert.Single(await b.Exchange().ListAsync(PackageJobKind.HandoverExport, caller, Ct)).Id);

        gate.Open();
        var done = await b.Exchange().WaitSettledAsync(started.Id, caller);
        Assert.True(done.State == PackageJobState.Completed, $"{done.State}: {done.Error}");
        Assert.Equal(done.FilesTotal, done.FilesDone);

        // The package comes from the store through host B: the bytes host A built.
        var (path, name, length, sha) = await b.Exchange().DownloadPackageAsync(started.Id, caller, Ct);
        Assert.Equal((done.PackageLength, done.PackageSha256), (length, sha));
        Assert.Equal(sha, Sha256(path));
        var entries = ReadTar(path);
        var top = Path.GetFileNameWithoutExtension(name);
        foreach (var (code, bytes) in contents)
        {
            Assert.Equal(bytes, entries[$"{top}/data/finished/{code}/content/001/gate-{code[^4..^3]}.bin"]);
        }

        Assert.Contains("muc-luc-ho-so.csv", done.Documents);
        Assert.True((await b.Exchange().DownloadDocumentAsync(started.Id, "muc-luc-ho-so.csv", caller, Ct)).Length > 0);
        Assert.False(Directory.Exists(Path.Combine(a.Exchange().WorkPath, started.Id)), "host A's scratch folder outlived the export");
    }

    [Fact]
    public async Task A_job_whose_host_dies_is_finished_by_the_other_host_once_its_lease_has_expired()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var gate = new Gate("gate-2.bin");
        CutOffStore? cut = null;
        await using var a = CreateHost("host-a", Store, s => cut = new CutOffStore(new GatedStore(s, gate)), time, TimeSpan.FromSeconds(5));
        await using var b = CreateHost("host-b", Store, time: time, poll: TimeSpan.FromSeconds(5));
        var contents = await SeedAsync(a);
        await using var workerA = await a.StartWorkerAsync();
        var caller = Staff(A);
        var leaseName = "jobs/exchange/";

        gate.Armed = true;
        var started = await a.Exchange().StartHandoverAsync(new HandoverJobRequest { FondsCode = "P-A", ReceivingAgencyId = C }, caller, Ct);
        leaseName += started.Id;
        await gate.Entered.Task.WaitAsync(SettleTimeout, Ct);
        await using var workerB = await b.StartWorkerAsync(); // once host A holds the job (see the test above)
        var leasesA = a.Services.GetRequiredService<StorageLeases>();
        var leasesB = b.Services.GetRequiredService<StorageLeases>();
        Assert.Equal(leasesA.Holder, (await leasesB.GetAsync(leaseName, Ct))!.Holder);

        // Host A dies midway: nothing it writes reaches the store any more, so its lease is not renewed. It counts the
        // lease lost and stops before anyone may take over; meanwhile host B leaves the job alone.
        cut!.Off = true;
        for (var i = 0; i < 200 && !gate.Cancelled.Task.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromSeconds(10));
            await Task.Delay(20, Ct);
            Assert.Equal(PackageJobState.Running, (await b.Exchange().GetAsync(started.Id, caller, Ct)).State);
            var holder = (await leasesB.GetAsync(leaseName, Ct))?.Holder;
            Assert.True(holder is null || holder == leasesA.Holder, "host B took the job while host A's lease held");
        }

        Assert.True(gate.Cancelled.Task.IsCompleted, "host A's run did not stop when its lease was lost");

        // Once the lease has expired (plus the clock skew), host B's next look takes the job and builds it from scratch.
        for (var i = 0; i < 200 && (await leasesB.GetAsync(leaseName, Ct))?.Holder != leasesB.Holder
            && (await b.Exchange().GetAsync(started.Id, caller, Ct)).State == PackageJobState.Running; i++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(50, Ct);
        }

        var done = await b.Exchange().WaitSettledAsync(started.Id, caller);
        Assert.True(done.State == PackageJobState.Completed, $"{done.State}: {done.Error}");
        var (path, name, _, sha) = await b.Exchange().DownloadPackageAsync(started.Id, caller, Ct);
        Assert.Equal(done.PackageSha256, sha);
        var entries = ReadTar(path);
        foreach (var (code, bytes) in contents)
        {
            Assert.Equal(bytes, entries[$"{Path.GetFileNameWithoutExtension(name)}/data/finished/{code}/content/001/gate-{code[^4..^3]}.bin"]);
        }

        Assert.Equal(1, await CompletionsAsync(b, started.Id));
    }

    [Fact]
    public async Task Two_hosts_looking_at_the_same_jobs_run_each_of_them_once()
    {
        await using var a = CreateHost("host-a", Store);
        await using var b = CreateHost("host-b", Store);
        await SeedAsync(a);
        var caller = Staff(A);
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add((await a.Exchange().StartHandoverAsync(new HandoverJobRequest { FondsCode = "P-A", ReceivingAgencyId = C }, caller, Ct)).Id);
        }

        // Both workers start together and find the same queued jobs, in the same order.
        var workers = await Task.WhenAll(a.StartWorkerAsync(), b.StartWorkerAsync());
        try
        {
            foreach (var id in ids)
            {
                var job = await a.Exchange().WaitSettledAsync(id, caller);
                Assert.True(job.State == PackageJobState.Completed, $"{job.State}: {job.Error}");
            }

            await Task.Delay(1000, Ct); // a second run, had there been one, would have finished by now
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }
        }

        foreach (var id in ids)
        {
            Assert.Equal(1, await CompletionsAsync(a, id));
        }
    }

    [Fact]
    public async Task A_receipt_read_from_a_server_folder_runs_only_on_the_host_that_accepted_it()
    {
        var device = Path.Combine(_root, "usb0");
        Directory.CreateDirectory(device);
        var settings = new ExchangeSettings();
        settings.ImportRoots.Add(device);
        await using var a = CreateHost("host-a", Store, settings: settings);
        await using var b = CreateHost("host-b", Store, settings: settings);
        await SeedAsync(a);
        string tar;
        await using (await a.StartWorkerAsync())
        {
            (_, tar) = await a.ExportHandoverAsync("P-A", C, Staff(A));
        }

        File.Copy(tar, Path.Combine(device, "ban-giao.tar"));
        var receiving = Staff(C);
        var opened = await a.Exchange().OpenReceiptAsync(PackageJobKind.HandoverReceipt, new ReceiptRequest { AgencyId = C, SourcePath = Path.Combine(device, "ban-giao.tar") }, receiving, Ct);
        Assert.Equal("host-a", opened.Host);

        // Only host B looks for work: it leaves the job to host A, which can read the device.
        await using (await b.StartWorkerAsync())
        {
            await Task.Delay(1500, Ct);
            Assert.Equal(PackageJobState.Verifying, (await b.Exchange().GetAsync(opened.Id, receiving, Ct)).State);
        }

        await using (await a.StartWorkerAsync())
        {
            var verified = await b.Exchange().WaitSettledAsync(opened.Id, receiving);
            Assert.True(verified.State == PackageJobState.Verified, $"{verified.State}: {verified.Error} {string.Join("; ", verified.Problems)}");
        }
    }

    /// <summary>How many times the audit trail says the job's package was completed.</summary>
    private static async Task<int> CompletionsAsync(ArchiveHarness h, string id)
    {
        var page = await h.Services.GetRequiredService<IAuditLog>().QueryAsync(new AuditQuery { ObjectType = "handover" }, Ct);
        return page.Records.Count(r => r.Event.ObjectId == id && r.Event.Detail is { } d && d.StartsWith("Package ", StringComparison.Ordinal) && d.Contains(" completed", StringComparison.Ordinal));
    }

    /// <summary>Holds reads of one content file (by the end of its key) until opened, once armed; records a cancelled wait.</summary>
    private sealed class Gate(string fileName)
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string FileName { get; } = fileName;

        public volatile bool Armed;

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Open() => _open.TrySetResult();

        public async Task WaitAsync(CancellationToken cancellationToken)
        {
            Entered.TrySetResult();
            try
            {
                await _open.Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Cancelled.TrySetResult();
                throw;
            }
        }
    }

    private sealed class GatedStore(IObjectStore inner, Gate gate) : DelegatingObjectStore(inner)
    {
        public override async ValueTask<ObjectContent?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
        {
            if (gate.Armed && key.EndsWith(gate.FileName, StringComparison.Ordinal))
            {
                await gate.WaitAsync(cancellationToken);
            }

            return await base.GetAsync(key, range, cancellationToken);
        }
    }

    /// <summary>A host cut off from the store: once <see cref="Off"/>, every write fails.</summary>
    private sealed class CutOffStore(IObjectStore inner) : DelegatingObjectStore(inner)
    {
        public volatile bool Off;

        public override ValueTask<ObjectInfo> PutAsync(string key, Stream content, PutObjectOptions? options = null, CancellationToken cancellationToken = default)
            => Off ? throw new ArchiveStorageException("test", "cut-off", "put", key, "This host is cut off from the store.") : base.PutAsync(key, content, options, cancellationToken);

        public override ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
            => Off ? throw new ArchiveStorageException("test", "cut-off", "delete", key, "This host is cut off from the store.") : base.DeleteAsync(key, cancellationToken);
    }
}

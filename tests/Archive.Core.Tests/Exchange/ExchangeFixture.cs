using System.Formats.Tar;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Archive.Core.Tests.Records;
using Archive.Exchange;
using Archive.Handover;
using Archive.Records;
using Archive.Retention;
using Archive.Security;
using Archive.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Archive.Core.Tests.Exchange;

/// <summary>
/// What the exchange of a test engine is configured with. Read each time the engine is built, so a change followed by
/// <see cref="ArchiveHarness.ReopenAsync"/> is a restart with a new configuration.
/// </summary>
internal sealed class ExchangeSettings
{
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    public List<string> TrustedCertificates { get; } = [];

    public List<string> ImportRoots { get; } = [];

    /// <summary>Writes <paramref name="certificate"/> (with its private key) as a password-protected PKCS#12 file and configures it as the seal.</summary>
    public void SealWith(X509Certificate2 certificate, string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "seal-" + Guid.NewGuid().ToString("N")[..8] + ".pfx");
        const string password = "mật-khẩu-niêm-phong";
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        CertificatePath = path;
        CertificatePassword = password;
    }

    public void Unsealed()
    {
        CertificatePath = null;
        CertificatePassword = null;
    }

    public void Apply(ExchangeOptions o)
    {
        o.Seal.CertificatePath = CertificatePath;
        o.Seal.CertificatePassword = CertificatePassword;
        foreach (var cert in TrustedCertificates)
        {
            o.Seal.TrustedCertificates.Add(cert);
        }

        foreach (var root in ImportRoots)
        {
            o.ImportRoots.Add(root);
        }
    }
}

/// <summary>
/// The real engine as a host builds it (AddArchive with the embedded providers, AddReorganisation, AddTransfer,
/// AddPackageExchange) and its background worker, plus callers, certificates and tar helpers for the exchange tests.
/// </summary>
internal static class ExchangeFixture
{
    public static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(90);

    public static ArchiveHarness CreateEngine(ExchangeSettings? settings = null)
    {
        settings ??= new ExchangeSettings();
        return ArchiveHarness.Create(services: s => new Builder(s).AddReorganisation().AddTransfer().AddPackageExchange(settings.Apply));
    }

    /// <summary>
    /// One of several hosts sharing one object store folder (<c>Archive:Hosts:Shared</c>): its own data folder (scratch,
    /// index), the store at <paramref name="storeRoot"/> (seen through <paramref name="wrap"/>), its own name.
    /// </summary>
    public static ArchiveHarness CreateHost(string name, string storeRoot, Func<IObjectStore, IObjectStore>? wrap = null, TimeProvider? time = null, TimeSpan? poll = null, ExchangeSettings? settings = null)
    {
        settings ??= new ExchangeSettings();
        return ArchiveHarness.Create(
            o =>
            {
                o.Hosts.Shared = true;
                o.Hosts.Name = name;
                o.Hosts.Lease = TimeSpan.FromMinutes(2);
                o.Hosts.ClockSkew = TimeSpan.FromSeconds(30);
            },
            s =>
            {
                s.AddSingleton(_ => (wrap ?? (x => x))(new Archive.Storage.FileSystem.FileSystemObjectStore(new Archive.Storage.FileSystem.FileSystemStoreOptions { RootPath = storeRoot })));
                if (time is not null)
                {
                    s.AddSingleton(time);
                }

                new Builder(s).AddReorganisation().AddTransfer().AddPackageExchange(o =>
                {
                    settings.Apply(o);
                    o.PollInterval = poll ?? TimeSpan.FromMilliseconds(200);
                });
            });
    }

    public static PackageExchangeService Exchange(this ArchiveHarness h) => h.Services.GetRequiredService<PackageExchangeService>();

    public static HandoverService Handover(this ArchiveHarness h) => h.Services.GetRequiredService<HandoverService>();

    /// <summary>Starts the exchange worker the container registered as a hosted service; disposing the result stops it.</summary>
    public static async Task<RunningWorker> StartWorkerAsync(this ArchiveHarness h)
    {
        var worker = h.Services.GetServices<IHostedService>().OfType<PackageExchangeWorker>().Single();
        await worker.StartAsync(TestContext.Current.CancellationToken);
        return new RunningWorker(worker);
    }

    /// <summary>Polls the job until it settles (or <see cref="SettleTimeout"/> passes, which fails the test).</summary>
    public static async Task<PackageJob> WaitSettledAsync(this PackageExchangeService exchange, string id, ArchiveCaller caller)
    {
        var ct = TestContext.Current.CancellationToken;
        var deadline = DateTime.UtcNow + SettleTimeout;
        while (true)
        {
            var job = (await exchange.GetAsync(id, caller, ct));
            if (job.IsSettled)
            {
                return job;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Job {id} did not settle within {SettleTimeout}: it is {job.State} ({job.FilesDone}/{job.FilesTotal} files, {job.BytesDone}/{job.BytesTotal} bytes).");
            }

            await Task.Delay(25, ct);
        }
    }

    /// <summary>Builds a handover package as a job and waits for it: the completed job and its tar.</summary>
    public static async Task<(PackageJob Job, string Tar)> ExportHandoverAsync(this ArchiveHarness h, string fondsCode, string receivingAgencyId, ArchiveCaller caller)
    {
        var ct = TestContext.Current.CancellationToken;
        var exchange = h.Exchange();
        var started = await exchange.StartHandoverAsync(new HandoverJobRequest { FondsCode = fondsCode, ReceivingAgencyId = receivingAgencyId }, caller, ct);
        var job = await exchange.WaitSettledAsync(started.Id, caller);
        Assert.True(job.State == PackageJobState.Completed, $"{job.State}: {job.Error}");
        var (path, _, _, _) = await exchange.DownloadPackageAsync(job.Id, caller, ct);
        return (job, path);
    }

    /// <summary>Downloads a completed export's package from the store into a file of the test's data folder: its path, name, length and SHA-256 as the service gave them.</summary>
    public static async Task<(string Path, string Name, long Length, string Sha256)> DownloadPackageAsync(this PackageExchangeService exchange, string id, ArchiveCaller caller, CancellationToken ct = default)
    {
        await using var file = await exchange.OpenPackageAsync(id, caller, ct);
        var job = await exchange.GetAsync(id, caller, ct);
        return (await SaveAsync(exchange, file, ct), file.Name, file.Length, job.PackageSha256 ?? file.Sha256!);
    }

    /// <summary>Downloads a package's seal into a file: its path and name.</summary>
    public static async Task<(string Path, string Name)> DownloadSealAsync(this PackageExchangeService exchange, string id, ArchiveCaller caller, CancellationToken ct = default)
    {
        await using var file = await exchange.OpenSealAsync(id, caller, ct);
        return (await SaveAsync(exchange, file, ct), file.Name);
    }

    /// <summary>Downloads one of a job's documents into a file: its path.</summary>
    public static async Task<string> DownloadDocumentAsync(this PackageExchangeService exchange, string id, string name, ArchiveCaller caller, CancellationToken ct = default)
    {
        await using var file = await exchange.OpenDocumentAsync(id, name, caller, ct);
        return await SaveAsync(exchange, file, ct);
    }

    private static async Task<string> SaveAsync(PackageExchangeService exchange, ExchangeFile file, CancellationToken ct)
    {
        var folder = Path.Combine(Path.GetDirectoryName(exchange.WorkPath)!, "downloads", Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, file.Name);
        await using (var output = File.Create(path))
        {
            await file.Content.CopyToAsync(output, ct);
        }

        Assert.Equal(file.Length, new FileInfo(path).Length);
        return path;
    }

    /// <summary>The keys of a job's files in the store (package, seal, documents, upload parts).</summary>
    public static async Task<List<string>> StoredFilesAsync(this PackageExchangeService exchange, string id)
    {
        var keys = new List<string>();
        await foreach (var item in exchange.Objects.ListAsync(PackageJobStore.FilesOf(id), cancellationToken: TestContext.Current.CancellationToken))
        {
            keys.Add(item.Key);
        }

        return keys;
    }

    /// <summary>Opens a handover receipt, uploads <paramref name="tar"/> in one chunk with its SHA-256, and waits for the verification.</summary>
    public static async Task<PackageJob> ReceiveHandoverAsync(this ArchiveHarness h, string tar, string agencyId, ArchiveCaller caller)
    {
        var ct = TestContext.Current.CancellationToken;
        var bytes = await File.ReadAllBytesAsync(tar, ct);
        var exchange = h.Exchange();
        var opened = await exchange.OpenReceiptAsync(PackageJobKind.HandoverReceipt, new ReceiptRequest { AgencyId = agencyId, Length = bytes.Length, Sha256 = Sha256(bytes) }, caller, ct);
        var uploaded = await exchange.UploadAsync(opened.Id, 0, new MemoryStream(bytes), caller, ct);
        Assert.Equal(PackageJobState.Verifying, uploaded.State);
        return await exchange.WaitSettledAsync(opened.Id, caller);
    }

    /// <summary>An agency's staff member (archivist), cleared for secret files unless told otherwise.</summary>
    public static ArchiveCaller Staff(string agencyId, bool secretClearance = true, string name = "Nguyễn Văn An", params string[] roles)
        => ArchiveCaller.Authenticated(new ArchiveUser(name), roles.Length == 0 ? [ArchiveRoles.Archivist] : roles, [agencyId], secretClearance);

    public static ArchiveCaller Administrator()
        => ArchiveCaller.Authenticated(new ArchiveUser("Quản trị hệ thống"), [ArchiveRoles.Administrator], [], secretClearance: true);

    /// <summary>Creates a finished record file in <paramref name="fonds"/> with one document holding <paramref name="content"/>.</summary>
    public static Task<string> RecordFileAsync(this ArchiveHarness h, string fonds, string notation, byte[] content, string fileName = "Bản scan 01.jpg", AccessLevel rights = AccessLevel.Public, RetentionPeriod? retention = null)
        => Archive.Core.Tests.Transfer.TransferFixture.FileAsync(h, fonds, notation, 2024, "Hồ sơ " + notation + " năm 2024", retention ?? RetentionPeriod.Permanent, rights, content, fileName);

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Every regular file of a tar, by entry name.</summary>
    public static Dictionary<string, byte[]> ReadTar(string path)
    {
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var input = File.OpenRead(path);
        using var reader = new TarReader(input);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile)
            {
                using var ms = new MemoryStream();
                entry.DataStream?.CopyTo(ms);
                entries.Add(entry.Name, ms.ToArray());
            }
        }

        return entries;
    }

    /// <summary>Copies a tar, changing the content of entry <paramref name="name"/> (which must exist).</summary>
    public static void RewriteTar(string from, string to, string name, Func<byte[], byte[]> change)
    {
        var found = false;
        using (var output = File.Create(to))
        using (var writer = new TarWriter(output, TarEntryFormat.Pax))
        {
            using var input = File.OpenRead(from);
            using var reader = new TarReader(input);
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.Name != name)
                {
                    writer.WriteEntry(entry);
                    continue;
                }

                found = true;
                using var ms = new MemoryStream();
                entry.DataStream!.CopyTo(ms);
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(change(ms.ToArray())) });
            }
        }

        Assert.True(found, $"{name} is not in {from}");
    }

    public static byte[] FlipMiddleByte(byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        copy[copy.Length / 2] ^= 0xFF;
        return copy;
    }

    /// <summary>A self-signed seal certificate with its private key.</summary>
    public static X509Certificate2 SelfSigned(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}, O=Việt Nam", key, HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    /// <summary>A certification authority (with its private key) that issues seal certificates.</summary>
    public static X509Certificate2 Authority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}, O=Việt Nam", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddYears(2));
    }

    /// <summary>A seal certificate issued by <paramref name="authority"/>, with its private key.</summary>
    public static X509Certificate2 IssuedBy(X509Certificate2 authority, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}, O=Việt Nam", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, critical: true));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var issued = request.Create(authority, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1), RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>The certificate without its private key (what a receiver knows of it).</summary>
    public static X509Certificate2 PublicPart(X509Certificate2 certificate) => X509CertificateLoader.LoadCertificate(certificate.RawData);

    /// <summary>Writes the public certificate as PEM (a trust-list entry).</summary>
    public static string WritePem(X509Certificate2 certificate, string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, Guid.NewGuid().ToString("N")[..8] + ".pem");
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }

    /// <summary>The bytes of an upload in the store (the sum of its parts).</summary>
    public static async Task<long> StoredUploadBytesAsync(this PackageExchangeService exchange, string id)
    {
        var total = 0L;
        await foreach (var item in exchange.Objects.ListAsync(PackageJobStore.FilesOf(id) + "upload/", cancellationToken: TestContext.Current.CancellationToken))
        {
            total += item.Length;
        }

        return total;
    }

    /// <summary>Nothing of the job is left but its record: no file in the store, no scratch folder.</summary>
    public static async Task AssertOnlyJobRecordAsync(PackageExchangeService exchange, string id)
    {
        Assert.NotNull(await exchange.Objects.StatAsync(PackageJobStore.RecordKey(id), TestContext.Current.CancellationToken));
        Assert.Empty(await exchange.StoredFilesAsync(id));
        Assert.False(Directory.Exists(Path.Combine(exchange.WorkPath, id)));
    }

    internal sealed class RunningWorker(PackageExchangeWorker worker) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await worker.StopAsync(CancellationToken.None);
    }

    private sealed class Builder(IServiceCollection services) : IArchiveBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}

/// <summary>Gives <paramref name="limit"/> bytes of <paramref name="inner"/>, then fails like a dropped connection.</summary>
internal sealed class DroppedConnectionStream(byte[] inner, int limit) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position >= limit)
        {
            throw new IOException("The connection was reset by the peer.");
        }

        var n = Math.Min(Math.Min(buffer.Length, limit - _position), 1000);
        inner.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

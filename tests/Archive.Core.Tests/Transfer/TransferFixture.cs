using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Archive.Core.Tests.Records;
using Archive.Handover;
using Archive.Records;
using Archive.Reorganisation;
using Archive.Retention;
using Archive.Transfer;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Archive.Core.Tests.Transfer;

/// <summary>
/// Two engines as the issue describes them: the province's agencies' archive (communes, reorganisation, handover,
/// transfer) and the provincial Historical Archives' own archive (accession, researcher search), each with its own
/// data folder.
/// </summary>
internal static class TransferFixture
{
    /// <summary>Commune Tam Xuân (merged).</summary>
    public const string XaTamXuan = "000.21.49.H49";

    /// <summary>Commune Tam Anh (merged).</summary>
    public const string XaTamAnh = "000.22.49.H49";

    /// <summary>The new commune formed by the consolidation.</summary>
    public const string XaNuiThanh = "000.23.49.H49";

    /// <summary>The provincial Historical Archives (Lưu trữ lịch sử tỉnh).</summary>
    public const string LuuTruLichSu = "000.00.14.H49";

    public const string EventId = "2025-NQ-1681";
    public static readonly DateOnly Effective = new(2025, 7, 1);
    public static readonly DateOnly TransferDate = new(2026, 11, 25);

    public static ArchiveHarness CreateAgencies() => ArchiveHarness.Create(services: s => new Builder(s).AddReorganisation().AddTransfer());

    public static ArchiveHarness CreateHistoricalArchives() => ArchiveHarness.Create(services: s => new Builder(s).AddTransfer());

    public static TransferService Transfer(this ArchiveHarness h) => h.Services.GetRequiredService<TransferService>();

    public static AccessionService Accession(this ArchiveHarness h) => h.Services.GetRequiredService<AccessionService>();

    public static async Task SeedQuangNamCommunesAsync(this ArchiveHarness h)
    {
        await h.SeedAsync(XaTamXuan, "P-TAMXUAN", "Ủy ban nhân dân xã Tam Xuân");
        await h.SeedAsync(XaTamAnh, "P-TAMANH", "Ủy ban nhân dân xã Tam Anh");
        await h.SeedAsync(XaNuiThanh, "P-NUITHANH", "Ủy ban nhân dân xã Núi Thành");
    }

    public static async Task SeedArchivesAsync(this ArchiveHarness ha)
        => await ha.Agencies.CreateAsync(new Agency { Id = LuuTruLichSu, Name = "Lưu trữ lịch sử tỉnh Quảng Nam" }, ArchiveHarness.User, TestContext.Current.CancellationToken);

    public static ReorganisationEventInput Consolidation() => new()
    {
        Id = EventId,
        Kind = ReorganisationKind.Consolidation,
        DecisionNumber = "1681/NQ-UBTVQH15",
        DecisionDate = new DateOnly(2025, 6, 16),
        DecisionAuthority = "Ủy ban Thường vụ Quốc hội",
        EffectiveDate = Effective,
        Affected =
        [
            new AffectedAgency { AgencyId = XaTamXuan, SuccessorAgencyId = XaNuiThanh },
            new AffectedAgency { AgencyId = XaTamAnh, SuccessorAgencyId = XaNuiThanh },
        ],
    };

    /// <summary>Creates a finished record file with one document holding <paramref name="content"/>.</summary>
    public static async Task<string> FileAsync(this ArchiveHarness h, string fonds, string notation, int year, string title, RetentionPeriod retention, AccessLevel rights, byte[]? content = null, string fileName = "Bản scan 01.jpg", string subject = "Về việc sắp xếp đơn vị hành chính cấp xã")
    {
        var ct = TestContext.Current.CancellationToken;
        var f = (await h.Files.CreateAsync(ArchiveHarness.FileInput(notation, year, fonds) with { Title = title, Maintenance = retention, Rights = rights }, ArchiveHarness.User, ct)).Stored;
        var d = await h.Files.AddDocumentAsync(f.Value.FileCode, ArchiveHarness.DocInput(subject: subject, year: year) with { OrganName = "Ủy ban nhân dân tỉnh Quảng Nam", PageAmount = 2 }, f.Version, ArchiveHarness.User, ct);
        if (content is not null)
        {
            await h.Files.AddContentAsync(f.Value.FileCode, 1, new ContentUpload { FileName = fileName, Content = new MemoryStream(content) }, d.Stored.Version, ArchiveHarness.User, ct);
        }

        return f.Value.FileCode;
    }

    public static X509Certificate2 Certificate(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}, O=Việt Nam", key, HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    public static void FlipByte(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
    }

    public static string CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return to;
    }

    /// <summary>Everything the Historical Archives' store holds (packages and index), to prove a rejection changed nothing.</summary>
    public static async Task<string> SnapshotAsync(this ArchiveHarness h)
    {
        var ct = TestContext.Current.CancellationToken;
        var fonds = await h.Fonds.ListAsync(ct);
        var files = new List<string>();
        await foreach (var f in h.Files.ListAsync(null, ct))
        {
            files.Add(f.Value.FileCode + "@" + f.Version);
        }

        var hits = await h.SearchAsync(string.Empty);
        return string.Join(",", fonds.Select(f => f.Value.Code + "@" + f.Version)) + "|" + string.Join(",", files.Order(StringComparer.Ordinal)) + "|" + hits.Total;
    }

    internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    private sealed class Builder(IServiceCollection services) : IArchiveBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}

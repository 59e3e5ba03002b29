using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Archive.Audit;
using Archive.Storage.FileSystem;

namespace Archive.Core.Tests.Audit;

/// <summary>A file-system object store in a temporary folder, deleted on dispose.</summary>
internal sealed class AuditStoreFolder : IDisposable
{
    public AuditStoreFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "archive-audit-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
        Store = new FileSystemObjectStore(new FileSystemStoreOptions { RootPath = Path });
    }

    public string Path { get; }

    public FileSystemObjectStore Store { get; }

    public void Dispose()
    {
        Store.Dispose();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}

internal static class TestCertificates
{
    /// <summary>A self-signed RSA certificate with its private key, written as a PFX; returns the path.</summary>
    public static string CreatePfx(string folder, string subject, string password)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={subject}, O=Archive tests", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, critical: true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var path = System.IO.Path.Combine(folder, subject.Replace(' ', '-') + ".pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, password));
        return path;
    }
}

internal static class AuditEvents
{
    public static AuditEvent Change(string actor, string objectId, string detail = "v1: change", AuditOutcome outcome = AuditOutcome.Success) => new()
    {
        Action = AuditActions.Change,
        Actor = actor,
        ObjectType = "record-file",
        ObjectId = objectId,
        Outcome = outcome,
        Detail = detail,
    };
}

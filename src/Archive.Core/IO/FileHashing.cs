using System.Security.Cryptography;

namespace Archive.IO;

/// <summary>SHA-256 of files on disk, streamed (the one helper bags, packages and their verifiers use).</summary>
internal static class FileHashing
{
    private const int BufferSize = 81920;

    /// <summary>Lower-case hex SHA-256 and length of a file, or of its first <paramref name="maxBytes"/> bytes.</summary>
    public static async ValueTask<(string Sha256, long Length)> HashFileAsync(string path, CancellationToken cancellationToken, long maxBytes = long.MaxValue)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[BufferSize];
        long length = 0;
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            int n;
            while (length < maxBytes && (n = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, maxBytes - length)), cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                length += n;
            }
        }

        return (Convert.ToHexStringLower(hash.GetHashAndReset()), length);
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="target"/> through a <c>.part</c> file, hashing as it goes; returns SHA-256 and length.</summary>
    public static async ValueTask<(string Sha256, long Length)> WriteHashedAsync(string target, Stream source, CancellationToken cancellationToken)
    {
        var part = target + ".part";
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[BufferSize];
        long length = 0;
        var output = new FileStream(part, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
        await using (output.ConfigureAwait(false))
        {
            int n;
            while ((n = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                length += n;
            }
        }

        File.Move(part, target, overwrite: true);
        return (Convert.ToHexStringLower(hash.GetHashAndReset()), length);
    }
}

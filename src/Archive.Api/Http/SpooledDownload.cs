using Archive.Hosting;
using Microsoft.AspNetCore.Http;

namespace Archive.Api.Http;

/// <summary>
/// A download rendered by the engine into a private temporary file first (deleted when the answer is sent or on
/// failure): the writers write synchronously, a refusal or failure answers a problem instead of a truncated download,
/// and the answer carries its length.
/// </summary>
internal static class SpooledDownload
{
    /// <summary>
    /// Lets <paramref name="write"/> render into the temporary file (and audit, set headers) and answers the file with the
    /// media type and file name it returns.
    /// </summary>
    public static async Task<IResult> AnswerAsync(ArchiveOptions options, string name, Func<Stream, ValueTask<(string MediaType, string FileName)>> write)
    {
        var folder = options.ResolveTempPath();
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name + "-" + Guid.NewGuid().ToString("N") + ".tmp");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 65536, FileOptions.DeleteOnClose);
        try
        {
            var (mediaType, fileName) = await write(file).ConfigureAwait(false);
            file.Position = 0;
            return Results.File(file, mediaType, fileName);
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}

using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Archive.Records;

namespace Archive.TextExtraction.Tesseract;

/// <summary>The outcome of an external process.</summary>
internal sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>Runs an external tool with an argument list (no shell), a timeout and cancellation (the tree is killed).</summary>
internal static class ExternalProcess
{
    public static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout, string installHint, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            CreateNoWindow = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        // One thread per process: concurrency is bounded by the recognizer, not by OpenMP inside each process.
        info.Environment["OMP_THREAD_LIMIT"] = "1";

        using var process = new Process { StartInfo = info };
        try
        {
            if (!process.Start())
            {
                throw new TextRecognizerUnavailableException($"'{fileName}' could not be started. {installHint}");
            }
        }
        catch (Win32Exception ex)
        {
            throw new TextRecognizerUnavailableException($"'{fileName}' was not found or cannot run ({ex.Message}). {installHint}", ex);
        }

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeoutSource.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeoutSource.Token);
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token).ConfigureAwait(false);
            return new ProcessResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new TimeoutException($"'{Path.GetFileName(fileName)}' did not finish within {timeout} and was stopped.");
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (Win32Exception)
        {
            // Could not be killed (already exiting).
        }
    }
}

using System.Runtime.InteropServices;

/// <summary>
/// Files the server writes are private to its user by default: before anything is written the process's file-mode
/// creation mask is set from <c>Archive:Umask</c> (octal, default <c>077</c>: files 0600, folders 0700 — content, the
/// search index, temporary spools, API keys, logs of the offline verbs), and a data or temporary folder that already
/// grants more than the mask allows (e.g. one created by an earlier version as 0755) is narrowed. Set
/// <c>Archive:Umask=027</c> to let a backup group read. Unix only; on Windows the folders' ACLs apply.
/// </summary>
internal static partial class PrivateFiles
{
    /// <summary>The default mask: nothing for group and others.</summary>
    public const string DefaultUmask = "077";

    /// <summary>
    /// Sets the process's umask from <paramref name="configured"/> (octal; null for the default) and returns the mask,
    /// or null on Windows. Throws <see cref="FormatException"/> naming the key when the value is not octal 0–777.
    /// </summary>
    public static int? ApplyUmask(string? configured)
    {
        var text = string.IsNullOrWhiteSpace(configured) ? DefaultUmask : configured.Trim();
        int mask;
        try
        {
            mask = Convert.ToInt32(text, 8);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException)
        {
            throw new FormatException($"Archive:Umask must be an octal mask such as 077 or 027, not '{text}'.", ex);
        }

        if (mask is < 0 or > 0x1FF)
        {
            throw new FormatException($"Archive:Umask must be an octal mask between 000 and 777, not '{text}'.");
        }

        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        _ = umask((uint)mask);
        return mask;
    }

    /// <summary>
    /// Removes from an existing <paramref name="folder"/> the permission bits <paramref name="mask"/> forbids (a missing
    /// one is left to be created later, under the mask); returns true when it narrowed the folder.
    /// </summary>
    public static bool Narrow(string folder, int mask)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        if (!Directory.Exists(folder))
        {
            return false;
        }

        var mode = File.GetUnixFileMode(folder);
        var allowed = (UnixFileMode)(0x1FF & ~mask) | (mode & ~(UnixFileMode)0x1FF);
        if ((mode & ~allowed) == 0)
        {
            return false;
        }

        File.SetUnixFileMode(folder, mode & allowed);
        return true;
    }

    /// <summary>The mask as the user wrote it (three octal digits).</summary>
    public static string Format(int mask) => Convert.ToString(mask, 8).PadLeft(3, '0');

    [DllImport("libc", EntryPoint = "umask", SetLastError = false)]
    private static extern uint umask(uint mask);
}

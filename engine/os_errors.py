"""What the operating system said went wrong with a file, in words an assessor reads (its own text is English)."""
from __future__ import annotations

import errno

CAUSES = {
    errno.ENOSPC: "磁盘空间已满", errno.EDQUOT: "超出磁盘配额", errno.EROFS: "文件系统是只读的",
    errno.EACCES: "没有访问权限", errno.EPERM: "没有访问权限", errno.EIO: "磁盘读写出错",
    errno.ENAMETOOLONG: "文件名过长", errno.EMFILE: "打开的文件过多", errno.ENOMEM: "内存不足",
    errno.ENOLCK: "文件系统不支持文件锁", errno.EAGAIN: "系统资源暂时不足", errno.ENOENT: "文件不存在",
    errno.EISDIR: "这是一个文件夹，不是文件", errno.ENOTDIR: "路径中有一部分不是文件夹",
    errno.ELOOP: "符号链接循环指向自身", errno.ENXIO: "设备不存在",
}


def os_error_text(error: OSError) -> str:
    """「磁盘空间已满」 for the errors people meet; the system's own words for the rest."""
    return CAUSES.get(error.errno or 0, error.strerror or str(error))

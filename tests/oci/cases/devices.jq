# linux.devices: char, block and fifo nodes with modes and owners (fileMode is decimal in JSON).
.linux.devices = [
  { "path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0 },
  { "path": "/dev/berth-test", "type": "c", "major": 1, "minor": 3, "fileMode": 416, "uid": 1000, "gid": 1001 },
  { "path": "/dev/berth-blk", "type": "b", "major": 7, "minor": 0, "fileMode": 384 },
  { "path": "/dev/berth-fifo", "type": "p", "fileMode": 420 },
  { "path": "/dev/sub/berth-sub", "type": "c", "major": 1, "minor": 5, "fileMode": 438, "uid": 0, "gid": 0 }
]

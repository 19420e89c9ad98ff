// `tern run --follow`: file following with rotation/truncation handling and resumable positions.
export { openFollowSource, followKey, type FollowFormat, type FollowOptions, type FollowSource } from "./source.js";
export { FileTail, type TailLine, type TailPosition, type TailEvents } from "./tail.js";
